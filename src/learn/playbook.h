// The playbook: what the learner learned, kept between runs of a program.
//
// Itemised entries (a workload signature, a strategy, its rating and match
// counts, helpful/harmful counters), one file per program. The learner
// records what it learns as deltas; a flush merges only those deltas into
// the file under an advisory lock, so processes of one program running at
// once each add their counts and lose none of the others' (ACE-style
// updates by small deltas rather than rewrites; docs/ARCHITECTURE.md,
// Playbook). The file format is in learn/playbook_file.h, the default path
// (per executable) in learn/playbook_path.cpp.
//
// No allocation: the tables are static arrays, the file is read and written
// through fixed buffers. Every function takes one internal lock, so they may
// be called from any thread (the learner's background thread, an exit
// handler); a flush holds it across its file I/O. Not for the fast paths.
#pragma once
#include <cstddef>
#include <cstdint>

#include "learn/signals.h"
#include "policy/strategy.h"

namespace hakmem::learn {

// Signature (learn/signals.h): a small fixed vector the learner computes
// once per epoch; entries are compared by Euclidean distance.

struct PlaybookEntry {
    Signature signature;      // the workload this was learned on
    StrategyValues strategy;  // policy/strategy.h
    double rating;            // ELO rating
    uint32_t wins, losses, draws;
    uint32_t helpful, harmful;  // times the entry, applied from the playbook, then won / lost against the default
    uint64_t last_seen;         // unix seconds; set when the strategy held the title at a record, having won a match in that run
};

// Entries the file (and the in-memory table) keeps; the curator evicts the
// least helpful beyond it. At about 400 bytes a line the file stays near
// 50 KiB, far below the 1 MiB a reader accepts.
constexpr size_t kMaxEntries = 128;
// Deltas remembered between flushes. The learner records at most one per
// match, and flushes periodically and at exit.
constexpr size_t kMaxPendingDeltas = 64;
// Two entries with the same strategy and signatures at most this far apart
// are one entry: their counters add up.
constexpr double kSameSignatureDistance = 1e-6;

// Loads the file at `path` into the in-memory table, replacing what it held
// (deltas not yet flushed are applied again on top). A missing file: an
// empty playbook, no warning. A corrupt, truncated, foreign, oversized or
// newer-version file: one warning line, the file renamed aside to
// `<path>.corrupt-<unix time>` (never overwritten or deleted), an empty
// playbook. Returns the number of entries loaded.
size_t playbook_load(const char* path);

// The best entry within `max_distance` (learn/signals.h, signature_distance2)
// of `sig`, copied to *out: the latest last_seen, then helpful - harmful,
// then the net record (wins - losses), then rating, then the nearest. False
// when no entry is that near.
bool playbook_lookup(const Signature& sig, double max_distance, PlaybookEntry* out);

// Records what was learned. `e` is a delta: its win/loss/draw and
// helpful/harmful counts are added to the entry of the same strategy and
// signature (a new entry if none), its rating replaces the entry's, its
// last_seen is kept if later. Merged into the in-memory table at once and
// remembered for the next flush. False (nothing recorded) for a
// non-finite signature or rating, an invalid strategy, or when
// kMaxPendingDeltas distinct deltas already wait for a flush.
bool playbook_record(const PlaybookEntry& e);

// Merges the pending deltas into the file at `path`: under an advisory lock
// (flock on `<path>.lock`), re-reads the file, adds the deltas, curates
// (merges duplicates; beyond kMaxEntries evicts the least helpful, by
// helpful - harmful, then last_seen), writes a fresh temporary file (created
// exclusively, links not followed: os/os_file.h), fsyncs it and renames it
// over `path`. The in-memory table becomes the merged result, so it also
// holds what other processes flushed. A corrupt file found there is set
// aside as by playbook_load. On failure (I/O, the lock held elsewhere for
// more than about a second) the deltas stay pending for the next flush.
// True on success, and when there was nothing to flush.
bool playbook_flush(const char* path);

// This program's playbook path, into buf (`size` bytes): $HAKMEM_PLAYBOOK
// when set ("off": no playbook, returns false), else
// $XDG_CACHE_HOME/hakmem/<exe basename>-<16 hex>.playbook (else
// ~/.cache/hakmem/...), the directories created (0700) if missing. The hex
// is a hash of the executable's identity: its path and GNU build id, or its
// size and mtime when it has none. False in a secure-execution (setuid)
// process, when no directory is known or can be made, or when the path
// does not fit. Reads the options: options_init must have run.
bool playbook_default_path(char* buf, size_t size);

// What the in-memory table holds: its size, and entry i (for reports).
size_t playbook_size();
bool playbook_entry(size_t i, PlaybookEntry* out);
// Deltas waiting for a flush.
size_t playbook_pending();

// Forgets the in-memory table and the pending deltas (tests; a fresh start).
void playbook_reset();

// The lock around fork (api/init.cpp): a fork never copies a half-merged
// table or a lock held by a thread that does not exist in the child.
void playbook_fork_prepare();
void playbook_fork_parent();
void playbook_fork_child();

}  // namespace hakmem::learn
