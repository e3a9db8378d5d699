// The arithmetic of the headroom mode: the composite cost of issue 10's
// seed design (0.4 CPU time + 0.3 minor page faults + 0.3 memory held),
// scale-free - each part is the ratio of a candidate's run to the default
// runs paired with it in the same round - then medians over rounds and the
// best fixed strategy per scenario. Pure, for the unit tests.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "stats.h"

namespace hakbench {

// kMeanRss is the memory part of the composite (RSS sampled over the run:
// memory held, which the purge delay moves); kPeakRss is reported beside it
// but not scored (ru_maxrss barely moves with purging).
enum Part { kCpu, kFaults, kMeanRss, kPeakRss, kPartCount };
const char* part_label(int part);  // table header
const char* part_key(int part);    // CSV name

inline constexpr double kCpuWeight = 0.4;
inline constexpr double kFaultWeight = 0.3;
inline constexpr double kMemoryWeight = 0.3;

// What one run measured; cpu_s is user + system time of the child.
struct Measure {
  bool ok = false;
  double cpu_s = 0;
  double faults = 0;
  double mean_rss_kb = 0;  // 0: no sample (a run shorter than the sampling period)
  double peak_rss_kb = 0;
};

struct HeadroomRun {
  std::string scenario;
  size_t candidate = 0;  // index in strategy_grid(); 0 is the default
  int round = 0;
  size_t position = 0;   // in the round's order
  // A confirmation round (D B D, B the best of the main rounds): fresh
  // data for the best's ratio, free of the bias of picking the minimum.
  bool confirm = false;
  Measure m;
  double wall_s = 0;
  int rss_samples = 0;
  std::string failure;   // when !m.ok
};

// 0.4 cpu + 0.3 faults + 0.3 memory, each a ratio (1 = as the default).
double composite_ratio(double cpu, double faults, double memory);

// A candidate's ratios to the mean of its two paired default runs. NaN for
// every part when any of the three runs failed. When either side lacks RSS
// samples, the memory part falls back to peak RSS.
struct PairedRatios {
  std::array<double, kPartCount> part{};
  double composite = 0;
};
PairedRatios paired_ratios(const Measure& candidate, const Measure& before, const Measure& after);

struct CandidateScore {
  Summary composite;                       // over rounds
  std::array<Summary, kPartCount> part{};  // over rounds
  int wins = 0;                            // rounds with composite < 1
  int rounds = 0;                          // rounds with a valid ratio
  bool failed = false;                     // a run of it (or a paired default) failed
};

struct ScenarioHeadroom {
  std::string scenario;
  std::vector<CandidateScore> scores;  // per grid index; [0] (the default) stays empty
  // The default's own figures (median over its runs), for scale.
  std::array<Summary, kPartCount> default_value{};
  size_t best = 0;     // the best candidate by median composite; 0 = none usable
  size_t control = 0;  // the control's index; 0 = no control in the grid
  // Noise floor: the control's largest distance from 1 over the rounds.
  double noise = 0;
  // The best of the main rounds measured again in confirmation rounds
  // (0 = none ran): the minimum of ~20 noisy medians is biased low, this
  // is not.
  size_t confirmed_candidate = 0;
  CandidateScore confirmed;
  // The confirmed gain (else the main rounds' one) exceeds the noise floor.
  bool beyond_noise() const;
};

// `runs`: every run of one scenario (main and confirmation rounds).
// `is_control[i]` marks the grid's control (never chosen as best).
ScenarioHeadroom score_scenario(const std::string& scenario, const std::vector<HeadroomRun>& runs,
                                const std::vector<bool>& is_control);

}  // namespace hakbench
