#include "headroom_plan.h"

namespace hakbench {

std::vector<size_t> round_order(size_t count, int round, int rounds, size_t per_default) {
  std::vector<size_t> order;
  if (count == 0) return order;
  const size_t m = count - 1;
  if (per_default == 0) per_default = 1;
  if (rounds < 1) rounds = 1;
  const size_t shift = m ? (static_cast<size_t>(round - 1) * m / static_cast<size_t>(rounds)) % m : 0;
  order.push_back(0);
  for (size_t k = 0; k < m; ++k) {
    order.push_back(1 + (k + shift) % m);
    if ((k + 1) % per_default == 0 || k + 1 == m) order.push_back(0);
  }
  return order;
}

Neighbours default_neighbours(const std::vector<size_t>& order, size_t i) {
  Neighbours n{i, i};
  while (n.before > 0 && order[n.before] != 0) --n.before;
  while (n.after + 1 < order.size() && order[n.after] != 0) ++n.after;
  return n;
}

}  // namespace hakbench
