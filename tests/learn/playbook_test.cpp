// The playbook (learn/playbook.h): what one run records comes back in the
// next, lookups find the nearest workload, records of one strategy on one
// workload add up, a flush adds only what is new, the curator keeps the
// most helpful entries, and a bad file is warned about once, kept aside
// and replaced by a fresh one - never overwritten, never followed through
// a planted link.
#include <gtest/gtest.h>

#include <sys/syscall.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <string>
#include <vector>

#include "learn/playbook.h"
#include "learn/playbook_file.h"
#include "playbook_test_support.h"

namespace {

using hakmem::learn::kMaxEntries;
using hakmem::learn::kMaxPendingDeltas;
using hakmem::learn::kSignatureDims;
using hakmem::learn::playbook_entry;
using hakmem::learn::playbook_flush;
using hakmem::learn::playbook_load;
using hakmem::learn::playbook_lookup;
using hakmem::learn::playbook_pending;
using hakmem::learn::playbook_record;
using hakmem::learn::playbook_reset;
using hakmem::learn::playbook_size;
using hakmem::learn::PlaybookEntry;
using hakmem::learn::Signature;
using hakt::Exists;
using hakt::MakeEntry;
using hakt::ReadFile;
using hakt::SameFields;
using hakt::StderrOf;
using hakt::WriteFile;

using Playbook = hakt::PlaybookDir;

Signature Sig(double a, double b = 0, double c = 0, double d = 0) { return Signature{{a, b, c, d}}; }

PlaybookEntry At(const Signature& s, uint64_t purge_delay_ms, double rating) {
    PlaybookEntry e{};
    e.signature = s;
    e.strategy = hakmem::strategy_defaults();
    e.strategy.purge_delay_ms = purge_delay_ms;
    e.rating = rating;
    e.last_seen = 1700000000;
    return e;
}

std::vector<PlaybookEntry> All() {
    std::vector<PlaybookEntry> out(playbook_size());
    for (size_t i = 0; i < out.size(); ++i) EXPECT_TRUE(playbook_entry(i, &out[i]));
    return out;
}

// ---- round trip ----------------------------------------------------------------

TEST_F(Playbook, EveryFieldOfEveryEntryComesBackInTheNextRun) {
    std::vector<PlaybookEntry> written;
    for (unsigned seed = 0; seed < 20; ++seed) {
        written.push_back(MakeEntry(seed));
        ASSERT_TRUE(playbook_record(written.back()));
    }
    ASSERT_TRUE(playbook_flush(path_.c_str()));
    EXPECT_EQ(playbook_pending(), 0u);

    playbook_reset();  // the next run starts from the file alone
    EXPECT_EQ(playbook_load(path_.c_str()), written.size());
    std::vector<PlaybookEntry> read = All();
    ASSERT_EQ(read.size(), written.size());
    for (const PlaybookEntry& w : written) {
        bool found = false;
        for (const PlaybookEntry& r : read) found = found || SameFields(w, r);
        EXPECT_TRUE(found) << "entry with purge_delay_ms " << w.strategy.purge_delay_ms << " did not come back";
    }
}

TEST_F(Playbook, TheFileIsVersionedTextWithOneLinePerEntryAndAnEndCount) {
    ASSERT_TRUE(playbook_record(MakeEntry(1)));
    ASSERT_TRUE(playbook_record(MakeEntry(2)));
    ASSERT_TRUE(playbook_flush(path_.c_str()));
    std::vector<std::string> lines = hakt::Lines(ReadFile(path_));
    ASSERT_GE(lines.size(), 4u);
    EXPECT_EQ(lines.front(), "hakmem-playbook 1");
    EXPECT_EQ(lines.back(), "end 2");
    int entries = 0;
    for (const std::string& l : lines) entries += l.rfind("entry sig=", 0) == 0;
    EXPECT_EQ(entries, 2);
    struct stat st;
    ASSERT_EQ(stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "a user's learned data is theirs alone";
}

TEST_F(Playbook, AMissingFileIsAnEmptyPlaybookWithoutAWarning) {
    size_t loaded = 1;
    std::string err = StderrOf([&] { loaded = playbook_load(path_.c_str()); });
    EXPECT_EQ(loaded, 0u);
    EXPECT_EQ(err, "");
    EXPECT_EQ(playbook_size(), 0u);
    EXPECT_TRUE(Entries().empty()) << "loading a missing playbook creates nothing";
}

TEST_F(Playbook, AFlushWithNothingRecordedTouchesNoFile) {
    EXPECT_TRUE(playbook_flush(path_.c_str()));
    EXPECT_TRUE(Entries().empty());
}

// ---- lookup -----------------------------------------------------------------------

TEST_F(Playbook, LookupFindsTheNearestEntryWithinTheDistance) {
    ASSERT_TRUE(playbook_record(At(Sig(0, 0), 100, 1500)));
    ASSERT_TRUE(playbook_record(At(Sig(3, 4), 200, 1500)));  // 5 from the origin
    PlaybookEntry e{};
    ASSERT_TRUE(playbook_lookup(Sig(0.5, 0), 1.0, &e));
    EXPECT_EQ(e.strategy.purge_delay_ms, 100u);
    ASSERT_TRUE(playbook_lookup(Sig(3, 3.5), 1.0, &e));
    EXPECT_EQ(e.strategy.purge_delay_ms, 200u);
    ASSERT_TRUE(playbook_lookup(Sig(3, 4), 0.0, &e)) << "an exact match is within distance 0";
    EXPECT_EQ(e.strategy.purge_delay_ms, 200u);
    EXPECT_FALSE(playbook_lookup(Sig(1.5, 2), 2.4, &e)) << "2.5 from both";
    EXPECT_TRUE(playbook_lookup(Sig(1.5, 2), 2.5, &e)) << "the bound is inclusive";
    EXPECT_FALSE(playbook_lookup(Sig(0, 0, 10), 9.9, &e)) << "the share of large allocations counts";
    // The growth does not (learn/signals.h, kSignatureWeights): a phased
    // workload's growth depends on when it was taken.
    ASSERT_TRUE(playbook_lookup(Sig(0, 0, 0, 10), 0.0, &e));
    EXPECT_EQ(e.strategy.purge_delay_ms, 100u);
    EXPECT_FALSE(playbook_lookup(Sig(0, 0), -1.0, &e));
    EXPECT_FALSE(playbook_lookup(Sig(0, 0), std::numeric_limits<double>::quiet_NaN(), &e));
}

TEST_F(Playbook, LookupAmongNearbyEntriesReturnsTheLatestThenTheBestRecordThenTheBestRated) {
    PlaybookEntry a = At(Sig(1, 1), 100, 1400), b = At(Sig(1, 1.1), 200, 1650), c = At(Sig(1.1, 1), 300, 1500);
    a.wins = 3, a.losses = 0;  // net +3
    b.wins = 4, b.losses = 2;  // net +2, the best rated
    c.wins = 3, c.losses = 0;  // net +3 as well, better rated than a
    for (const PlaybookEntry& e : {a, b, c}) ASSERT_TRUE(playbook_record(e));
    ASSERT_TRUE(playbook_record(At(Sig(5, 5), 400, 1900)));  // a different workload, far away
    PlaybookEntry e{};
    ASSERT_TRUE(playbook_lookup(Sig(1, 1), 1.0, &e));
    EXPECT_EQ(e.strategy.purge_delay_ms, 300u) << "net wins first, then the rating";
    ASSERT_TRUE(playbook_lookup(Sig(1, 1), 0.05, &e));
    EXPECT_EQ(e.strategy.purge_delay_ms, 100u) << "only entries within the distance count";
    ASSERT_TRUE(playbook_lookup(Sig(5.1, 5), 1.0, &e)) << "nearer to the other workload";
    EXPECT_EQ(e.strategy.purge_delay_ms, 400u);
    PlaybookEntry latest = At(Sig(1, 0.9), 500, 1000);
    latest.last_seen += 60;
    ASSERT_TRUE(playbook_record(latest));
    ASSERT_TRUE(playbook_lookup(Sig(1, 1), 1.0, &e));
    EXPECT_EQ(e.strategy.purge_delay_ms, 500u) << "the latest title holder first, whatever its record";
}

TEST_F(Playbook, LookupInAnEmptyPlaybookFindsNothing) {
    PlaybookEntry e{};
    EXPECT_FALSE(playbook_lookup(Sig(0), 1e300, &e));
}

// ---- recording --------------------------------------------------------------------

TEST_F(Playbook, RecordsOfOneStrategyOnOneWorkloadAddUpInOneEntry) {
    PlaybookEntry a = At(Sig(1, 2, 3, 4), 100, 1510);
    a.wins = 2, a.losses = 1, a.draws = 3, a.helpful = 1, a.harmful = 0, a.last_seen = 2000;
    PlaybookEntry b = a;
    b.signature.v[0] += 1e-9;  // the same workload, measured again
    b.rating = 1530;
    b.wins = 1, b.losses = 4, b.draws = 0, b.helpful = 2, b.harmful = 5, b.last_seen = 1000;
    ASSERT_TRUE(playbook_record(a));
    ASSERT_TRUE(playbook_record(b));
    ASSERT_EQ(playbook_size(), 1u);
    PlaybookEntry m{};
    ASSERT_TRUE(playbook_entry(0, &m));
    EXPECT_EQ(m.wins, 3u);
    EXPECT_EQ(m.losses, 5u);
    EXPECT_EQ(m.draws, 3u);
    EXPECT_EQ(m.helpful, 3u);
    EXPECT_EQ(m.harmful, 5u);
    EXPECT_EQ(m.rating, 1530) << "the latest rating replaces the older";
    EXPECT_EQ(m.last_seen, 2000u) << "last_seen is the later of the two";
    EXPECT_EQ(playbook_pending(), 1u) << "one delta to flush";
}

TEST_F(Playbook, DifferentStrategiesOrWorkloadsAreDifferentEntries) {
    ASSERT_TRUE(playbook_record(At(Sig(1), 100, 1500)));
    ASSERT_TRUE(playbook_record(At(Sig(1), 101, 1500)));   // another strategy
    ASSERT_TRUE(playbook_record(At(Sig(1.001), 100, 1500)));  // another workload
    EXPECT_EQ(playbook_size(), 3u);
    EXPECT_EQ(playbook_pending(), 3u);
}

TEST_F(Playbook, CountersSaturateInsteadOfWrapping) {
    PlaybookEntry e = At(Sig(0), 100, 1500);
    e.wins = UINT32_MAX - 1;
    ASSERT_TRUE(playbook_record(e));
    e.wins = 5;
    ASSERT_TRUE(playbook_record(e));
    PlaybookEntry m{};
    ASSERT_TRUE(playbook_entry(0, &m));
    EXPECT_EQ(m.wins, UINT32_MAX);
}

TEST_F(Playbook, NonFiniteNumbersAndInvalidStrategiesAreNotRecorded) {
    PlaybookEntry e = At(Sig(0), 100, std::numeric_limits<double>::infinity());
    EXPECT_FALSE(playbook_record(e));
    e = At(Sig(std::numeric_limits<double>::quiet_NaN()), 100, 1500);
    EXPECT_FALSE(playbook_record(e));
    e = At(Sig(0), 100, 1500);
    e.strategy.huge_pages = 7;
    EXPECT_FALSE(playbook_record(e));
    EXPECT_EQ(playbook_size(), 0u);
    EXPECT_EQ(playbook_pending(), 0u);
}

TEST_F(Playbook, WhenTheDeltasAreFullARecordIsRefusedUntilAFlush) {
    for (size_t i = 0; i < kMaxPendingDeltas; ++i) ASSERT_TRUE(playbook_record(At(Sig(double(i)), 100, 1500)));
    EXPECT_FALSE(playbook_record(At(Sig(-1), 100, 1500)));
    EXPECT_TRUE(playbook_record(At(Sig(0), 100, 1600))) << "a record that merges into a pending delta still fits";
    EXPECT_EQ(playbook_size(), kMaxPendingDeltas) << "a refused record is not in the table either";
    ASSERT_TRUE(playbook_flush(path_.c_str()));
    EXPECT_TRUE(playbook_record(At(Sig(-1), 100, 1500)));
}

// ---- flushing deltas --------------------------------------------------------------

TEST_F(Playbook, AFlushAddsOnlyWhatWasRecordedSinceTheLastFlush) {
    PlaybookEntry e = At(Sig(1), 100, 1500);
    e.wins = 1;
    ASSERT_TRUE(playbook_record(e));
    ASSERT_TRUE(playbook_flush(path_.c_str()));
    e.wins = 2;
    ASSERT_TRUE(playbook_record(e));
    ASSERT_TRUE(playbook_flush(path_.c_str()));
    ASSERT_TRUE(playbook_flush(path_.c_str()));  // nothing new
    playbook_reset();
    ASSERT_EQ(playbook_load(path_.c_str()), 1u);
    PlaybookEntry m{};
    ASSERT_TRUE(playbook_entry(0, &m));
    EXPECT_EQ(m.wins, 3u);
}

TEST_F(Playbook, AFlushKeepsWhatAnotherProcessFlushedMeanwhileAndLearnsIt) {
    PlaybookEntry shared = At(Sig(1), 100, 1500);
    shared.wins = 1;
    ASSERT_TRUE(playbook_record(shared));
    ASSERT_TRUE(playbook_flush(path_.c_str()));
    // Another process of the same program adds to the shared entry and
    // records one of its own.
    std::string child = hakt::InChild([&] {
        PlaybookEntry s = shared;
        s.wins = 10;
        PlaybookEntry own = At(Sig(2), 200, 1600);
        own.helpful = 4;
        bool ok = playbook_record(s) && playbook_record(own) && playbook_flush(path_.c_str());
        return std::string(ok ? "ok" : "failed");
    });
    ASSERT_EQ(child, "ok");
    shared.wins = 100;
    ASSERT_TRUE(playbook_record(shared));
    ASSERT_TRUE(playbook_flush(path_.c_str()));
    // The flush brought the other process's entry into this one's table.
    PlaybookEntry e{};
    ASSERT_TRUE(playbook_lookup(Sig(2), 0.1, &e));
    EXPECT_EQ(e.helpful, 4u);
    ASSERT_TRUE(playbook_lookup(Sig(1), 0.1, &e));
    EXPECT_EQ(e.wins, 111u);
    playbook_reset();
    ASSERT_EQ(playbook_load(path_.c_str()), 2u);
    ASSERT_TRUE(playbook_lookup(Sig(1), 0.1, &e));
    EXPECT_EQ(e.wins, 111u);
}

TEST_F(Playbook, LoadingKeepsTheDeltasNotYetFlushed) {
    ASSERT_TRUE(playbook_record(At(Sig(1), 100, 1500)));
    ASSERT_TRUE(playbook_flush(path_.c_str()));
    PlaybookEntry e = At(Sig(1), 100, 1520);
    e.wins = 3;
    ASSERT_TRUE(playbook_record(e));
    EXPECT_EQ(playbook_load(path_.c_str()), 1u);
    PlaybookEntry m{};
    ASSERT_TRUE(playbook_lookup(Sig(1), 0, &m));
    EXPECT_EQ(m.wins, 3u) << "the pending delta is applied on top of the file again";
    EXPECT_EQ(m.rating, 1520);
    EXPECT_EQ(playbook_pending(), 1u);
}

TEST_F(Playbook, TheCuratorKeepsTheMostHelpfulThenMostRecentEntries) {
    // 2 * kMaxEntries entries in rounds of pending deltas: entry i has
    // helpful - harmful = i % 7 - 3 and last_seen i.
    const size_t total = 2 * kMaxEntries;
    for (size_t i = 0; i < total; ++i) {
        PlaybookEntry e = At(Sig(double(i)), 100, 1500);
        e.helpful = uint32_t(i % 7);
        e.harmful = 3;
        e.last_seen = i;
        ASSERT_TRUE(playbook_record(e));
        if (playbook_pending() == kMaxPendingDeltas) {
            ASSERT_TRUE(playbook_flush(path_.c_str()));
        }
    }
    ASSERT_TRUE(playbook_flush(path_.c_str()));
    playbook_reset();
    ASSERT_EQ(playbook_load(path_.c_str()), kMaxEntries);
    // The kept set is exactly the top kMaxEntries by (helpful - harmful, last_seen).
    std::vector<std::pair<int, size_t>> ranked;
    for (size_t i = 0; i < total; ++i) ranked.push_back({int(i % 7) - 3, i});
    std::sort(ranked.rbegin(), ranked.rend());
    std::vector<bool> expected(total, false);
    for (size_t k = 0; k < kMaxEntries; ++k) expected[ranked[k].second] = true;
    PlaybookEntry e{};
    for (size_t i = 0; i < total; ++i)
        EXPECT_EQ(playbook_lookup(Sig(double(i)), 0, &e), expected[i]) << "entry " << i;
}

TEST_F(Playbook, DuplicateLinesInAHandEditedFileAreMergedOnLoad) {
    const std::string sig = "sig=0x1p+0,0x0p+0,0x0p+0,0x0p+0";
    ASSERT_TRUE(WriteFile(path_, "hakmem-playbook 1\n"
                                 "entry " + sig + " rating=1500 wins=2 last_seen=10\n"
                                 "\n# a note\n"
                                 "entry " + sig + " rating=1600 wins=3 last_seen=20\n"
                                 "end 2\n"));
    std::string err = StderrOf([&] { EXPECT_EQ(playbook_load(path_.c_str()), 1u); });
    EXPECT_EQ(err, "");
    PlaybookEntry e{};
    ASSERT_TRUE(playbook_entry(0, &e));
    EXPECT_EQ(e.wins, 5u);
    EXPECT_EQ(e.rating, 1600);
    EXPECT_EQ(e.last_seen, 20u);
}

TEST_F(Playbook, AFileOfAMinorVersionWithUnknownKeysIsRead) {
    ASSERT_TRUE(WriteFile(path_, "hakmem-playbook 1.3\n"
                                 "entry sig=0x1p+0,0,0,0 rating=1500 wins=2 some_later_field=9\n"
                                 "end 1\n"));
    std::string err = StderrOf([&] { EXPECT_EQ(playbook_load(path_.c_str()), 1u); });
    EXPECT_EQ(err, "");
}

// ---- bad files ---------------------------------------------------------------------

struct BadFile {
    const char* name;
    std::string content;
    const char* reason;  // in the warning
};

std::vector<BadFile> BadFiles() {
    const std::string good_line = "entry sig=0x1p+0,0x0p+0,0x0p+0,0x0p+0 rating=0x1.77p+10 wins=1\n";
    std::string random_bytes;
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 3000; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        random_bytes.push_back(char(x));
    }
    std::string huge = "hakmem-playbook 1\n";
    while (huge.size() <= hakmem::learn::kPlaybookMaxFileBytes) huge += good_line;
    return {
        {"corrupt", "hakmem-playbook 1\n" + good_line + "entry sig=0x1p+0,garbage rating=1\nend 2\n",
         "malformed at line 3"},
        {"truncated mid-line", "hakmem-playbook 1\n" + good_line + good_line.substr(0, 20), "truncated"},
        {"truncated at a line end", "hakmem-playbook 1\n" + good_line, "truncated"},
        {"wrong end count", "hakmem-playbook 1\n" + good_line + "end 2\n", "truncated"},
        {"lines after the end", "hakmem-playbook 1\n" + good_line + "end 1\n" + good_line, "malformed"},
        {"foreign (random bytes)", random_bytes, "not a hakmem playbook"},
        {"foreign (text)", "[settings]\nmode=fast\n", "not a hakmem playbook"},
        {"empty", "", "truncated"},
        {"newer version", "hakmem-playbook 99\n" + good_line + "end 1\n", "version 99, newer"},
        {"over the size bound", huge, "larger than"},
        {"a line too long", "hakmem-playbook 1\nentry " + std::string(5000, 'x') + "\nend 1\n", "malformed at line 2"},
    };
}

TEST_F(Playbook, ABadFileIsWarnedOnceKeptAsideAndReplacedByAFreshOne) {
    for (const BadFile& bad : BadFiles()) {
        SCOPED_TRACE(bad.name);
        playbook_reset();
        for (const std::string& old : SetAside()) unlink(old.c_str());
        ASSERT_TRUE(WriteFile(path_, bad.content));

        size_t loaded = 1;
        std::string err = StderrOf([&] { loaded = playbook_load(path_.c_str()); });
        EXPECT_EQ(loaded, 0u);
        EXPECT_EQ(playbook_size(), 0u);
        std::vector<std::string> lines = hakt::Lines(err);
        ASSERT_EQ(lines.size(), 1u) << err;
        EXPECT_EQ(lines[0].rfind("hakmem: warning: playbook " + path_, 0), 0u) << err;
        EXPECT_NE(lines[0].find(bad.reason), std::string::npos) << err;
        EXPECT_NE(lines[0].find(".corrupt-"), std::string::npos) << err;

        // Kept aside, byte for byte; nothing at the path any more.
        std::vector<std::string> aside = SetAside();
        ASSERT_EQ(aside.size(), 1u);
        EXPECT_TRUE(ReadFile(aside[0]) == bad.content) << "the set-aside copy differs";
        EXPECT_FALSE(Exists(path_));

        // The next flush writes a fresh playbook, silently, and leaves the copy alone.
        ASSERT_TRUE(playbook_record(MakeEntry(5)));
        err = StderrOf([&] { EXPECT_TRUE(playbook_flush(path_.c_str())); });
        EXPECT_EQ(err, "");
        playbook_reset();
        err = StderrOf([&] { EXPECT_EQ(playbook_load(path_.c_str()), 1u); });
        EXPECT_EQ(err, "");
        EXPECT_TRUE(ReadFile(aside[0]) == bad.content);
        EXPECT_EQ(SetAside().size(), 1u);
    }
}

TEST_F(Playbook, AFlushOverABadFileKeepsItAsideAndLosesNoDelta) {
    ASSERT_TRUE(WriteFile(path_, "hakmem-playbook 99\nfuture stuff\n"));
    PlaybookEntry e = MakeEntry(3);
    ASSERT_TRUE(playbook_record(e));
    std::string err = StderrOf([&] { EXPECT_TRUE(playbook_flush(path_.c_str())); });
    EXPECT_EQ(hakt::Lines(err).size(), 1u) << err;
    ASSERT_EQ(SetAside().size(), 1u);
    EXPECT_EQ(ReadFile(SetAside()[0]), "hakmem-playbook 99\nfuture stuff\n");
    playbook_reset();
    ASSERT_EQ(playbook_load(path_.c_str()), 1u);
    PlaybookEntry back{};
    ASSERT_TRUE(playbook_entry(0, &back));
    EXPECT_TRUE(SameFields(back, e));
}

TEST_F(Playbook, ASetAsideNameAlreadyTakenIsNeverOverwritten) {
    // Names the set-aside copy could take in this second or the next two.
    const long long now = static_cast<long long>(time(nullptr));
    std::vector<std::string> taken;
    for (long long t = now; t < now + 3; ++t) {
        taken.push_back(path_ + ".corrupt-" + std::to_string(t));
        ASSERT_TRUE(WriteFile(taken.back(), "earlier copy\n"));
    }
    ASSERT_TRUE(WriteFile(path_, "not a playbook\n"));
    std::string err = StderrOf([&] { EXPECT_EQ(playbook_load(path_.c_str()), 0u); });
    EXPECT_EQ(hakt::Lines(err).size(), 1u) << err;
    for (const std::string& t : taken) EXPECT_EQ(ReadFile(t), "earlier copy\n") << t;
    int copies = 0;
    for (const std::string& a : SetAside()) copies += ReadFile(a) == "not a playbook\n";
    EXPECT_EQ(copies, 1);
    EXPECT_FALSE(Exists(path_));
}

TEST_F(Playbook, ADirectoryAtThePathIsNeitherReadNorReplaced) {
    ASSERT_EQ(mkdir(path_.c_str(), 0700), 0);
    EXPECT_EQ(playbook_load(path_.c_str()), 0u);
    ASSERT_TRUE(playbook_record(MakeEntry(1)));
    EXPECT_FALSE(playbook_flush(path_.c_str()));
    EXPECT_EQ(playbook_pending(), 1u) << "the delta waits for a flush that succeeds";
    struct stat st;
    ASSERT_EQ(lstat(path_.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    rmdir(path_.c_str());
}

TEST_F(Playbook, AFlushIntoAMissingDirectoryFailsAndKeepsItsDeltas) {
    const std::string nowhere = dir_ + "/missing/test.playbook";
    ASSERT_TRUE(playbook_record(MakeEntry(1)));
    EXPECT_FALSE(playbook_flush(nowhere.c_str()));
    EXPECT_EQ(playbook_pending(), 1u);
    EXPECT_TRUE(playbook_flush(path_.c_str()));
    EXPECT_EQ(playbook_pending(), 0u);
}

// ---- writing safely ---------------------------------------------------------------

TEST_F(Playbook, ASymlinkPlantedAtAPlausibleTemporaryNameIsNotFollowed) {
    const std::string target = dir_ + "/precious";
    ASSERT_TRUE(WriteFile(target, "precious\n"));
    // The temporary names a flush of this thread might use, without their
    // unpredictable tail (os/os_file.h): a planted name must be skipped even
    // if it were guessed.
    const std::string pid = std::to_string(getpid());
    const std::string tid = std::to_string(syscall(SYS_gettid));
    std::vector<std::string> planted = {path_ + ".tmp", path_ + ".tmp." + pid, path_ + ".tmp." + pid + "." + tid};
    for (int k = 0; k < 8; ++k) planted.push_back(path_ + ".tmp." + pid + "." + tid + "." + std::to_string(k));
    for (const std::string& link : planted) ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0) << link;

    ASSERT_TRUE(playbook_record(MakeEntry(1)));
    ASSERT_TRUE(playbook_flush(path_.c_str()));

    EXPECT_EQ(ReadFile(target), "precious\n") << "the write went through a planted symlink";
    struct stat st;
    ASSERT_EQ(lstat(path_.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    for (const std::string& link : planted) {
        ASSERT_EQ(lstat(link.c_str(), &st), 0) << link << " was removed";
        EXPECT_TRUE(S_ISLNK(st.st_mode)) << link;
    }
    // Nothing else left behind: the target, the links, the playbook and its lock file.
    EXPECT_EQ(Entries().size(), planted.size() + 3);
    playbook_reset();
    EXPECT_EQ(playbook_load(path_.c_str()), 1u);
}

TEST_F(Playbook, ASymlinkPlantedAtTheLockFileIsNotFollowed) {
    const std::string target = dir_ + "/precious";
    ASSERT_EQ(symlink(target.c_str(), (path_ + ".lock").c_str()), 0);
    ASSERT_TRUE(playbook_record(MakeEntry(1)));
    EXPECT_FALSE(playbook_flush(path_.c_str())) << "no lock, no flush";
    EXPECT_FALSE(Exists(target)) << "the lock file's link was followed";
    EXPECT_EQ(playbook_pending(), 1u);
}

}  // namespace
