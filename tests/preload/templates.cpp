// A small template-heavy C++ program for the preload suite (preload_driver.py,
// case gxx): g++ compiles it with hakmem preloaded into cc1plus, as and ld.
// The compiler's work is the point (instantiations, constexpr evaluation,
// overload resolution); the program's output is a check that it was compiled
// correctly.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

template <typename... Ts> struct TypeList {};
template <typename L, typename T> struct Append;
template <typename... Ts, typename T> struct Append<TypeList<Ts...>, T> { using type = TypeList<Ts..., T>; };

// A compile-time sieve and Fibonacci table.
template <size_t N> constexpr std::array<bool, N> sieve() {
    std::array<bool, N> prime{};
    for (size_t i = 2; i < N; ++i) prime[i] = true;
    for (size_t i = 2; i * i < N; ++i)
        if (prime[i])
            for (size_t j = i * i; j < N; j += i) prime[j] = false;
    return prime;
}
constexpr auto kPrimes = sieve<2000>();
template <unsigned N> struct Fib { static constexpr uint64_t value = Fib<N - 1>::value + Fib<N - 2>::value; };
template <> struct Fib<0> { static constexpr uint64_t value = 0; };
template <> struct Fib<1> { static constexpr uint64_t value = 1; };

// A generic accumulator instantiated for many element types.
template <typename T, typename F> auto fold(const std::vector<T>& v, F f) {
    using R = std::invoke_result_t<F, T, T>;
    R acc{};
    for (const T& x : v) acc = f(acc, x);
    return acc;
}

template <typename T> std::vector<T> make_values(int n) {
    std::vector<T> v;
    for (int i = 0; i < n; ++i) v.push_back(static_cast<T>((i * 7919) % 101));
    return v;
}

template <typename... Ts> uint64_t checksum_all(int n) {
    uint64_t sum = 0;
    ((sum = sum * 31 + static_cast<uint64_t>(fold(make_values<Ts>(n), std::plus<>{}))), ...);
    return sum;
}

// A visitor over a variant of containers.
using Value = std::variant<int, double, std::string, std::vector<int>, std::map<std::string, int>>;
struct Describe {
    std::string operator()(int x) const { return "int " + std::to_string(x); }
    std::string operator()(double x) const { return "double " + std::to_string(static_cast<int>(x * 100)); }
    std::string operator()(const std::string& s) const { return "string " + s; }
    std::string operator()(const std::vector<int>& v) const {
        return "vector sum " + std::to_string(std::accumulate(v.begin(), v.end(), 0));
    }
    std::string operator()(const std::map<std::string, int>& m) const {
        std::string out = "map";
        for (const auto& [k, v] : m) out += " " + k + "=" + std::to_string(v);
        return out;
    }
};

// Recursive tuple processing.
template <size_t I = 0, typename... Ts> void print_tuple(const std::tuple<Ts...>& t) {
    if constexpr (I < sizeof...(Ts)) {
        if constexpr (std::is_arithmetic_v<std::tuple_element_t<I, std::tuple<Ts...>>>)
            std::printf("tuple[%zu] = %lld\n", I, static_cast<long long>(std::get<I>(t)));
        else
            std::printf("tuple[%zu] = %s\n", I, std::string(std::get<I>(t)).c_str());
        print_tuple<I + 1>(t);
    }
}

template <typename K, typename V> std::optional<V> lookup(const std::unordered_map<K, V>& m, const K& k) {
    auto it = m.find(k);
    return it == m.end() ? std::nullopt : std::optional<V>(it->second);
}

int main() {
    size_t primes = std::count(kPrimes.begin(), kPrimes.end(), true);
    std::printf("primes below 2000: %zu, fib(80) = %llu\n", primes, static_cast<unsigned long long>(Fib<80>::value));
    std::printf("checksum: %llu\n",
                static_cast<unsigned long long>(checksum_all<int, long, short, unsigned, double, float, int64_t,
                                                             uint8_t, uint16_t, long double>(1000)));
    std::vector<Value> values{42, 3.25, std::string("hakmem"), std::vector<int>{1, 2, 3, 4},
                              std::map<std::string, int>{{"b", 2}, {"a", 1}, {"c", 3}}};
    for (const Value& v : values) std::printf("%s\n", std::visit(Describe{}, v).c_str());
    print_tuple(std::make_tuple(1, "two", 3L, std::string("four"), 'A'));
    std::unordered_map<std::string, std::vector<int>> index;
    for (int i = 0; i < 500; ++i) index["k" + std::to_string(i % 37)].push_back(i);
    std::map<size_t, std::vector<std::string>> by_size;
    for (const auto& [k, v] : index) by_size[v.size()].push_back(k);
    for (auto& [n, keys] : by_size) {
        std::sort(keys.begin(), keys.end());
        std::printf("%zu: %zu keys, first %s\n", n, keys.size(), keys.front().c_str());
    }
    auto hit = lookup(index, std::string("k5"));
    std::printf("k5: %zu entries, missing: %d\n", hit ? hit->size() : 0, !lookup(index, std::string("zz")));
    using L = Append<Append<TypeList<int>, char>::type, double>::type;
    std::printf("typelist ok: %d\n", std::is_same_v<L, TypeList<int, char, double>>);
}
