// The list of scenarios, in suite order. Adding a scenario: write
// <name>.cpp with a run_<name>(Run&), declare it here, add a row, add the
// file to CMakeLists.txt and the name to runner/options.cpp (a test checks
// the two lists agree).
#include "support/scenario.h"

namespace hakbench {

void run_json(Run&);
void run_mir(Run&);
void run_vm(Run&);
void run_mixed(Run&);
void run_multithread(Run&);
void run_fragmentation(Run&);
void run_longrun(Run&);
void run_webserver(Run&);
void run_lifetime(Run&);
void run_seqaccess(Run&);
void run_randaccess(Run&);
void run_realloc(Run&);
void run_edge(Run&);
void run_alignment(Run&);
void run_handoff(Run&);
void run_server(Run&);
void run_server_sized(Run&);
void run_falseshare_active(Run&);
void run_falseshare_passive(Run&);
void run_workingset(Run&);
void run_corrupt(Run&);
void run_phases_fast(Run&);
void run_phases_mid(Run&);
void run_phases_slow(Run&);

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> list = {
      {"json", "JSON DOM trees: small nodes and strings, realloc'd arrays, whole-tree frees", run_json, false},
      {"mir", "compiler IR: 64 B-64 KiB objects, realloc'd instruction vectors, per-function lifetime", run_mir, false},
      {"vm", "VM large-object heap: 256 KiB-8 MiB blocks, every page written, churned", run_vm, false},
      {"mixed", "json, mir and vm interleaved, size mix shifting halfway", run_mixed, false},
      {"multithread", "threads allocating 1024-block rounds, 25% freed by another thread", run_multithread, false},
      {"fragmentation", "alternating alloc/free leaving holes; peak RSS vs peak live bytes", run_fragmentation, false},
      {"longrun", "steady-state heap paced over time; RSS drift", run_longrun, false},
      {"webserver", "per-request lifetime; 80% <1 KiB, 15% 1-64 KiB, 5% >64 KiB", run_webserver, false},
      {"lifetime", "70% short-lived, 25% medium, 5% permanent", run_lifetime, false},
      {"seqaccess", "1-16 MiB blocks written and read sequentially", run_seqaccess, false},
      {"randaccess", "1-16 MiB blocks written and read in scattered order", run_randaccess, false},
      {"realloc", "50% realloc, growing and shrinking 8 B-256 KiB", run_realloc, false},
      {"edge", "malloc(0), free(NULL), realloc to 0, tiny sizes, calloc zeroing, overflow", run_edge, false},
      {"alignment", "posix_memalign/aligned_alloc at 64 B, 4 KiB and 2 MiB", run_alignment, false},
      // The multi-threaded patterns of issue 11.
      {"handoff", "2 producers fill batches of 64 B blocks, 2 consumers free them", run_handoff, false},
      {"server", "4 threads replace random slots of a shared array: 10-1000 B, mostly remote frees", run_server, false},
      {"server-sized", "server, freeing with sized operator delete", run_server_sized, false},
      {"falseshare-active", "2 threads write their own 8-64 B objects in a tight loop", run_falseshare_active, false},
      {"falseshare-passive", "the same, 16 B, starting on two of the main thread's objects in one line", run_falseshare_passive, false},
      {"workingset", "4 threads each replace blocks of a 1024-block set, 4 B-32 KiB log-uniform", run_workingset, false},
      // The learner's proof (hakmem-bench --learner), not in the default suite:
      // 10-20 s each under --quick.
      {"phases-fast", "vm, bursts with idle gaps, json: cycling every ~0.3 s", run_phases_fast, false},
      {"phases-mid", "vm, bursts with idle gaps, json: cycling every ~2 s", run_phases_mid, false},
      {"phases-slow", "vm, bursts with idle gaps, json: cycling every ~6 s", run_phases_slow, false},
      {"corrupt", "corrupts a live block on purpose (tests the failure path)", run_corrupt, true},
  };
  return list;
}

const Scenario* find_scenario(const std::string& name) {
  for (const Scenario& s : scenarios())
    if (name == s.name) return &s;
  return nullptr;
}

}  // namespace hakbench
