-- A sqlite3 workload for the preload suite (preload_driver.py, case sqlite3):
-- tens of thousands of rows of generated text, indexes, joins, GROUP BY and
-- sorting. Deterministic: the "random" text is a hash of the row number.
PRAGMA cache_size = 2000;
CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, city TEXT, note TEXT);
CREATE TABLE products(id INTEGER PRIMARY KEY, title TEXT, price INTEGER);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, product INTEGER, qty INTEGER, memo TEXT);

BEGIN;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000)
INSERT INTO customers
SELECT x,
       substr('qwertyuiopasdfghjklzxcvbnm', (x * 7) % 26 + 1, (x * 13) % 9 + 2) || '-' || printf('%x', (x * 2654435761) % 1000003),
       'city' || ((x * 31) % 97),
       replace(hex(zeroblob((x * 17) % 40 + 1)), '00', substr('abcdefghij', x % 10 + 1, 2))
FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 500)
INSERT INTO products SELECT x, 'product ' || printf('%05d', (x * 7919) % 100000), (x * 37) % 1000 + 1 FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 60000)
INSERT INTO orders
SELECT x, (x * 48271) % 20000 + 1, (x * 16807) % 500 + 1, x % 7 + 1,
       printf('%.*c', (x * 11) % 120 + 1, 'm') || printf('%d', x * x % 65521)
FROM n;
COMMIT;

CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_product ON orders(product, qty);
CREATE INDEX customers_city ON customers(city, name);

SELECT count(*), sum(length(name)), sum(length(note)) FROM customers;
SELECT count(*), sum(qty), sum(length(memo)) FROM orders;

-- Revenue per city: a three-way join and GROUP BY.
SELECT c.city, count(*), sum(o.qty * p.price), max(length(o.memo))
FROM orders o JOIN customers c ON c.id = o.customer JOIN products p ON p.id = o.product
GROUP BY c.city ORDER BY sum(o.qty * p.price) DESC, c.city LIMIT 25;

-- The best customers, with their names grouped into one string.
SELECT c.name, count(*) AS n, group_concat(DISTINCT p.title)
FROM orders o JOIN customers c ON c.id = o.customer JOIN products p ON p.id = o.product
WHERE o.qty > 3 GROUP BY c.id HAVING n >= 3 ORDER BY n DESC, c.name LIMIT 20;

-- Updates and deletes that rewrite pages, then a correlated subquery.
UPDATE customers SET note = note || upper(substr(name, 1, 3)) WHERE id % 3 = 0;
DELETE FROM orders WHERE (id * 7) % 11 = 0;
SELECT p.title, (SELECT count(*) FROM orders o WHERE o.product = p.id) AS cnt
FROM products p ORDER BY cnt DESC, p.title LIMIT 15;

-- Sorting on text that is not indexed, and a window function.
SELECT name, note FROM customers ORDER BY note DESC, name LIMIT 10;
SELECT city, name, rank() OVER (PARTITION BY city ORDER BY length(note) DESC, name) AS r
FROM customers WHERE city IN ('city1', 'city50') ORDER BY city, r LIMIT 20;
SELECT count(DISTINCT memo), count(DISTINCT substr(note, 1, 6)) FROM orders, customers WHERE orders.id = customers.id;
VACUUM;
PRAGMA integrity_check;
