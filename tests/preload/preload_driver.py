#!/usr/bin/env python3
"""Runs real programs with libhakmem.so in LD_PRELOAD and checks them.

One case per invocation (see tests/CMakeLists.txt, label `preload`):
    preload_driver.py --lib libhakmem.so --probe hakmem_preload_probe \
                      --heap-profile-program hakmem_heap_profile_program \
                      --script-dir tests/preload --case NAME
Outputs are compared exactly against the same program run without hakmem.
The real-program cases (sqlite3, perl, git, g++) run each time in a fresh
directory and also check, through HAKMEM_STATS_JSON, that the program itself
allocated through hakmem. Exit status 0 = pass; on failure the reason is printed.
"""
import argparse
import difflib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT_S = 240


class Failure(Exception):
    pass


def base_env():
    """The environment without any hakmem option or preload inherited from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAKMEM_") and k != "LD_PRELOAD"}
    env["LC_ALL"] = "C"
    env["PYTHONHASHSEED"] = "0"
    return env


def run(argv, lib=None, extra_env=None, stdin=None, cwd=None):
    env = base_env()
    if lib:
        env["LD_PRELOAD"] = lib
    env.update(extra_env or {})
    try:
        p = subprocess.run(argv, env=env, input=stdin, capture_output=True, timeout=TIMEOUT_S, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise Failure(f"timed out after {TIMEOUT_S}s: {argv} (LD_PRELOAD={lib})")
    return p


def describe(p):
    status = f"exit {p.returncode}" if p.returncode >= 0 else f"killed by signal {-p.returncode}"
    return f"{status}\n--- stderr ---\n{p.stderr.decode(errors='replace')}"


def expect_same(argv, lib, what, extra_env=None):
    compare_runs(run(argv), run(argv, lib, extra_env), what)


def compare_runs(plain, hak, what):
    if plain.returncode != 0:
        raise Failure(f"{what}: the unpreloaded run failed, cannot compare: {describe(plain)}")
    if hak.returncode != 0:
        raise Failure(f"{what}: failed with hakmem preloaded: {describe(hak)}")
    if hak.stdout != plain.stdout:
        diff = difflib.unified_diff(plain.stdout.decode(errors="replace").splitlines(),
                                    hak.stdout.decode(errors="replace").splitlines(),
                                    "without hakmem", "with hakmem", lineterm="", n=1)
        raise Failure(f"{what}: stdout differs with hakmem preloaded:\n" + "\n".join(list(diff)[:40]))
    if hak.stderr != plain.stderr:
        raise Failure(f"{what}: stderr differs with hakmem preloaded (hakmem should be silent by default):\n"
                      f"without: {plain.stderr[:2000]!r}\nwith:    {hak.stderr[:2000]!r}")
    print(f"ok: {what} ({len(plain.stdout)} bytes of identical output)")


def expect_same_in_fresh_dirs(a, argv, what, inputs=(), stdin=None, extra_env=None, same_files=(),
                              served=()):
    """Runs argv twice, each time in a new directory holding copies of `inputs`
    (files of the script dir): without hakmem, then with it. Compares stdout,
    stderr and the files named in `same_files` byte for byte. The preloaded run
    writes HAKMEM_STATS_JSON from every process; `served` lists (module, minimum
    allocations): some process must have counted that many allocations and have
    sampled call sites in that module (a path substring, e.g. "cc1plus"), which
    proves the program itself allocated through hakmem."""
    with tempfile.TemporaryDirectory(prefix="hakmem-preload-") as root:
        stats_dir = os.path.join(root, "stats")
        os.mkdir(stats_dir)
        runs = {}
        for mode in ("plain", "hakmem"):
            d = os.path.join(root, mode)
            os.mkdir(d)
            for name in inputs:
                shutil.copy(os.path.join(a.script_dir, name), d)
            if mode == "plain":
                runs[mode] = run(argv, None, extra_env, stdin, cwd=d)
            else:
                env = dict(extra_env or {}, HAKMEM_STATS_JSON=os.path.join(stats_dir, "%p.json"))
                runs[mode] = run(argv, a.lib, env, stdin, cwd=d)
        compare_runs(runs["plain"], runs["hakmem"], what)
        for name in same_files:
            with open(os.path.join(root, "plain", name), "rb") as f:
                plain = f.read()
            with open(os.path.join(root, "hakmem", name), "rb") as f:
                hak = f.read()
            if plain != hak:
                raise Failure(f"{what}: {name} differs with hakmem preloaded ({len(plain)} bytes without, "
                              f"{len(hak)} with)")
            print(f"ok: {what}: {name} is identical ({len(plain)} bytes)")
        expect_served(stats_dir, what, served)


def expect_served(stats_dir, what, served):
    reports = []
    for path in sorted(glob.glob(os.path.join(stats_dir, "*.json"))):
        with open(path) as f:
            reports.append(json.load(f))
    if not reports:
        raise Failure(f"{what}: no process wrote HAKMEM_STATS_JSON: hakmem was not loaded")
    for module, min_allocs in served:
        hits = [r["stats"]["allocs"] for r in reports
                if r["stats"]["allocs"] >= min_allocs and any(module in s["module"] for s in r["sites"])]
        if not hits:
            seen = [(r["stats"]["allocs"], sorted({os.path.basename(s["module"]) for s in r["sites"]}))
                    for r in reports]
            raise Failure(f"{what}: no process allocated {min_allocs}+ times through hakmem from {module}; "
                          f"allocations and sampled modules per process: {seen}")
        print(f"ok: {what}: {module} allocated through hakmem ({max(hits)} allocations)")


def stderr_lines(p):
    return [l for l in p.stderr.decode(errors="replace").split("\n") if l != ""]


# ---- cases ------------------------------------------------------------------

def case_python_output_matches(a):
    expect_same([sys.executable, os.path.join(a.script_dir, "alloc_heavy.py")], a.lib, "alloc_heavy.py")


def case_python_no_purge_delay(a):
    # Purging at once exercises the release-and-reuse path of every page.
    expect_same([sys.executable, os.path.join(a.script_dir, "alloc_heavy.py")], a.lib,
                "alloc_heavy.py with HAKMEM_PURGE_DELAY_MS=0", {"HAKMEM_PURGE_DELAY_MS": "0"})


PIPELINES = [
    "seq 1 200000 | sort -r | uniq | wc -l",
    "seq 1 200000 | sort -r | tail -c 100000 | md5sum",
    # Generated text through tr/cut/sort/uniq; sort with a small buffer and two
    # threads so it spills to temporary files and frees across threads.
    "seq 1 150000 | sed 's/\\(.\\)/\\1 word\\1 /g' | tr ' 0123456789' '\\nabcdefghij' | "
    "sort -S 2M --parallel=2 | uniq -c | sort -k1,1nr -k2 | head -n 50",
    "seq 1 100000 | paste -d, - - - - | cut -d, -f2,4 | tr ',' '\\t' | sort -t$'\\t' -k2,2n | md5sum",
    "for i in $(seq 1 300); do printf '%s\\n' \"line-$i-$((i * 7919 % 1000))\"; done | "
    "sort -t- -k3,3n -k2,2n | md5sum",
    "seq 1 50000 | awk '{ s = s $0 \",\"; if (NR % 100 == 0) { print length(s); s = \"\" } }' | sort -n | uniq | "
    "wc -l",
    "seq -w 1 80000 | rev | sort | sha256sum",
]


def case_coreutils_pipelines(a):
    for pipeline in PIPELINES:
        # LD_PRELOAD is exported to bash itself and so to every stage.
        expect_same(["bash", "-c", "set -o pipefail; " + pipeline], a.lib, f"pipeline `{pipeline}`")


def case_sqlite3(a):
    with open(os.path.join(a.script_dir, "sqlite_workload.sql"), "rb") as f:
        sql = f.read()
    expect_same_in_fresh_dirs(a, ["sqlite3", "-batch", "-bail", "workload.db"], "sqlite3 workload", stdin=sql,
                              served=[("libsqlite3", 10000)])


def case_perl(a):
    expect_same_in_fresh_dirs(a, ["perl", "perl_workload.pl"], "perl workload", inputs=["perl_workload.pl"],
                              extra_env={"PERL_HASH_SEED": "0"}, served=[("perl", 100000)])


def case_git(a):
    # Every git command, and the pack-objects and repack that gc runs, inherit
    # LD_PRELOAD from the script's bash.
    expect_same_in_fresh_dirs(a, ["bash", "git_workload.sh"], "git workload", inputs=["git_workload.sh"],
                              served=[("git", 1000)])


def case_gxx(a):
    # g++ runs cc1plus, as and collect2/ld as children; LD_PRELOAD reaches all
    # of them. Compiler output must not depend on the allocator: the object
    # file and the linked program are compared byte for byte.
    script = ("set -e; g++ -std=c++17 -O2 -Wall -c templates.cpp -o templates.o; "
              "g++ templates.o -o templates; ./templates")
    expect_same_in_fresh_dirs(a, ["bash", "-c", script], "g++ compile of templates.cpp", inputs=["templates.cpp"],
                              same_files=["templates.o", "templates"],
                              served=[("cc1plus", 100000), ("libbfd", 1000)])


def expect_learning_changes_nothing(a, mode):
    # 10 ms epochs: the learner scores and switches strategies many times
    # during each program; what the programs print must not change.
    env = {"HAKMEM_LEARN": mode, "HAKMEM_LEARN_EPOCH_MS": "10"}
    script = os.path.join(a.script_dir, "alloc_heavy.py")
    expect_same([sys.executable, script], a.lib, f"alloc_heavy.py with HAKMEM_LEARN={mode}", env)
    for pipeline in PIPELINES[:3]:
        expect_same(["bash", "-c", "set -o pipefail; " + pipeline], a.lib,
                    f"pipeline `{pipeline}` with HAKMEM_LEARN={mode}", env)
    # And it did learn: the JSON report names the mode and counts epochs.
    learner = learner_report(a, [sys.executable, script], env, f"alloc_heavy.py with HAKMEM_LEARN={mode}")
    if learner["mode"] != mode or learner["epochs"] < 1 or not learner["candidates"]:
        raise Failure(f"HAKMEM_LEARN={mode}: the report shows no learning: {learner}")


def learner_report(a, argv, env, what):
    """Runs argv preloaded, with env and a HAKMEM_STATS_JSON file; returns the report's learner object."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "stats.json")
        p = run(argv, a.lib, dict(env, HAKMEM_STATS_JSON=path))
        if p.returncode != 0:
            raise Failure(f"{what} failed: {describe(p)}")
        with open(path) as f:
            return json.load(f)["learner"]


def case_learn_elo(a):
    expect_learning_changes_nothing(a, "elo")


def case_learn_ucb1(a):
    expect_learning_changes_nothing(a, "ucb1")


def case_learn_playbook_second_run(a):
    # The playbook is loaded from hakmem's constructor, before the library's
    # dynamic initializers: a table they re-initialized came up empty in every
    # real process (tests that load it after init never saw it).
    env = {"HAKMEM_LEARN": "elo", "HAKMEM_LEARN_EPOCH_MS": "10"}
    script = os.path.join(a.script_dir, "alloc_heavy.py")
    with tempfile.TemporaryDirectory() as d:
        playbook = os.path.join(d, "program.playbook")
        env["HAKMEM_PLAYBOOK"] = playbook
        p = run([sys.executable, script], a.lib, env)
        if p.returncode != 0:
            raise Failure(f"the first run failed: {describe(p)}")
        with open(playbook) as f:
            entries = sum(1 for line in f if line.startswith("entry "))
        if entries < 1:
            raise Failure("the first run left no entry in its playbook")
        learner = learner_report(a, [sys.executable, script], env, "the second run")
        if learner.get("playbook_at_start") != entries:
            raise Failure(f"the second run started knowing {learner.get('playbook_at_start')} playbook entries, "
                          f"the file held {entries}")


def case_probe_allocations_reach_hakmem(a):
    p = run([a.probe], a.lib, {"HAKMEM_SHOW_STATS": "1"})
    if p.returncode != 0:
        raise Failure(f"probe failed with hakmem preloaded: {describe(p)}")
    if b"probe ok" not in p.stdout:
        raise Failure(f"probe did not report success: {p.stdout!r}")
    if not any("hakmem" in l for l in stderr_lines(p)):
        raise Failure(f"HAKMEM_SHOW_STATS=1 printed no summary line naming hakmem: {describe(p)}")
    print("ok:", p.stdout.decode().strip())


def case_probe_fails_without_preload(a):
    # The probe must be able to fail: without hakmem it cannot find it.
    p = run([a.probe])
    if p.returncode != 2:
        raise Failure(f"probe without hakmem should exit 2, got {describe(p)}")
    print("ok: the probe notices when hakmem is absent")


def case_show_stats_summary(a):
    p = run(["true"], a.lib, {"HAKMEM_SHOW_STATS": "1"})
    if p.returncode != 0:
        raise Failure(f"`true` failed with hakmem preloaded: {describe(p)}")
    lines = stderr_lines(p)
    if not lines or "hakmem" not in lines[0]:
        raise Failure(f"HAKMEM_SHOW_STATS=1: the summary's first line should name hakmem: {describe(p)}")
    # It also works for a program that allocated a lot and used threads.
    p = run(["bash", "-c", "seq 1 100000 | sort -S 1M --parallel=2 | tail -n 1"], a.lib, {"HAKMEM_SHOW_STATS": "1"})
    if p.returncode != 0 or p.stdout != b"99999\n" and p.stdout != b"100000\n":
        raise Failure(f"pipeline with HAKMEM_SHOW_STATS=1 failed: {p.stdout!r} {describe(p)}")
    if not any("hakmem" in l for l in stderr_lines(p)):
        raise Failure(f"no summary from the pipeline's processes: {describe(p)}")
    print("ok: summary printed:", lines[0])


def case_show_stats_closed_stderr(a):
    # coreutils close stderr at exit (close_stdout) before hakmem's report
    # runs: the report goes to the copy of stderr hakmem kept at start.
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "lines")
        with open(data, "w") as f:
            f.write("".join(f"{(i * 7919) % 1000}\n" for i in range(1000)))
        for argv in (["ls", "/"], ["sort", data]):
            plain = run(argv)
            p = run(argv, a.lib, {"HAKMEM_SHOW_STATS": "1"})
            if p.returncode != 0 or p.stdout != plain.stdout:
                raise Failure(f"{argv[0]} with HAKMEM_SHOW_STATS=1 changed its output or status: {describe(p)}")
            lines = stderr_lines(p)
            if not lines or not lines[0].startswith("hakmem stats"):
                raise Failure(f"{' '.join(argv)}: HAKMEM_SHOW_STATS=1 printed no summary: {describe(p)}")
            print(f"ok: {' '.join(argv)}: {len(lines)} report lines, first: {lines[0]}")
        # A path: the report goes there, stderr stays empty.
        path = os.path.join(d, "report.%p.txt")
        p = run(["sort", data], a.lib, {"HAKMEM_SHOW_STATS": path})
        if p.returncode != 0 or p.stderr != b"":
            raise Failure(f"HAKMEM_SHOW_STATS=path: sort must print nothing on stderr: {describe(p)}")
        reports = glob.glob(os.path.join(d, "report.*.txt"))
        if len(reports) != 1:
            raise Failure(f"HAKMEM_SHOW_STATS=path: expected one report file, found {reports}")
        with open(reports[0]) as f:
            text = f.read()
        if not text.startswith("hakmem stats"):
            raise Failure(f"the report file does not start with the summary: {text[:200]!r}")
        print(f"ok: sort: report written to {os.path.basename(reports[0])}")


def case_quiet_by_default(a):
    p = run(["true"], a.lib)
    if p.returncode != 0 or p.stderr != b"" or p.stdout != b"":
        raise Failure(f"`true` with hakmem preloaded and no options must print nothing: {describe(p)}")
    p = run(["bash", "-c", "echo hi; seq 1 1000 | sort -rn | head -n 1"], a.lib)
    if p.returncode != 0 or p.stderr != b"" or p.stdout != b"hi\n1000\n":
        raise Failure(f"unexpected output: {p.stdout!r} {describe(p)}")
    print("ok: silent by default")


def expect_one_warning(a, var, value, default_pattern=None):
    p = run(["true"], a.lib, {var: value})
    if p.returncode != 0:
        raise Failure(f"{var}={value}: `true` must still exit 0: {describe(p)}")
    lines = stderr_lines(p)
    if len(lines) != 1:
        raise Failure(f"{var}={value}: expected exactly one warning line, got {len(lines)}: {describe(p)}")
    if var not in lines[0]:
        raise Failure(f"{var}={value}: the warning does not name {var}: {lines[0]!r}")
    if default_pattern and not re.search(default_pattern, lines[0]):
        raise Failure(f"{var}={value}: the warning does not name the default ({default_pattern}): {lines[0]!r}")
    print("ok:", lines[0])
    return lines[0]


def case_malformed_verbose(a):
    # The default of HAKMEM_VERBOSE is 0.
    expect_one_warning(a, "HAKMEM_VERBOSE", "banana", r"(?<![\w.])0(?![\w.])")


def case_malformed_show_stats(a):
    # Falls back to the default (0): one warning and no summary.
    expect_one_warning(a, "HAKMEM_SHOW_STATS", "banana", r"(?<![\w.])0(?![\w.])")


def case_malformed_purge_delay(a):
    expect_one_warning(a, "HAKMEM_PURGE_DELAY_MS", "soon", r"\d")


def case_unknown_option(a):
    # A typo of HAKMEM_PURGE_DELAY_MS: one warning naming the option it meant, nothing else.
    line = expect_one_warning(a, "HAKMEM_PURGE_DELAY", "0")
    if "HAKMEM_PURGE_DELAY_MS" not in line:
        raise Failure(f"the warning does not name the closest option HAKMEM_PURGE_DELAY_MS: {line!r}")


# ---- the heap profile, read by the real google-pprof ------------------------
# heap_profile_program.c allocates from known sites in known amounts; with
# HAKMEM_HEAP_PROFILE set, `google-pprof --text` on the program and its
# profile must name the function that kept most as the live heap's top entry
# (hp_keeps_most, 24 MiB), the one that allocated most as the allocations'
# (--alloc_space: hp_churns_most, 192 MiB), each near its true size, which
# shows pprof scaled the samples by the interval the file records.
# google-pprof missing is a failure, not a skip: `make test` installs it
# (TEST_PACKAGES in the Makefile: google-perftools).

PROFILE_SAMPLE_BYTES = 64 * 1024
# Samples at 64 KiB: 384 for the 24 MiB site, 3072 for the 192 MiB one, so
# their estimates' standard errors are about 5% and 2%: 25% is 5 sigma.
PROFILE_TOLERANCE = 0.25
# google-pprof --text: "Total: 30.0 MB", then one line per function, most
# first: flat flat% sum% cum cum% name (values in MB for heap profiles).
PPROF_ENTRY = re.compile(r"^\s*([\d.]+)\s+([\d.]+)%\s+([\d.]+)%\s+([\d.]+)\s+([\d.]+)%\s+(\S.*?)\s*$")


def pprof_entries(pprof, program, profile, extra):
    p = run([pprof, "--text"] + extra + [program, profile])
    if p.returncode != 0:
        raise Failure(f"google-pprof --text {' '.join(extra)} failed: {describe(p)}\n{p.stdout[:2000]!r}")
    if f"1-in-{PROFILE_SAMPLE_BYTES} sampling rate" not in p.stderr.decode(errors="replace"):
        raise Failure(f"google-pprof did not read the interval {PROFILE_SAMPLE_BYTES} from the file: {describe(p)}")
    out = p.stdout.decode(errors="replace")
    if not re.search(r"^Total: [\d.]+ MB$", out, re.M):
        raise Failure(f"google-pprof printed no total in MB:\n{out}")
    entries = [(m.group(6), float(m.group(1))) for m in map(PPROF_ENTRY.match, out.splitlines()) if m]
    if not entries:
        raise Failure(f"google-pprof listed no function:\n{out}")
    return entries, out


def expect_pprof_top(pprof, program, profile, extra, name, true_mib, what):
    entries, out = pprof_entries(pprof, program, profile, extra)
    top, mb = entries[0]
    if top != name:
        raise Failure(f"{what}: the top entry is {top}, expected {name}:\n{out}")
    if abs(mb - true_mib) > PROFILE_TOLERANCE * true_mib:
        raise Failure(f"{what}: {name} shows {mb} MB, expected {true_mib} MB within {PROFILE_TOLERANCE:.0%} "
                      f"(were the samples scaled by the interval?):\n{out}")
    print(f"ok: {what}: top entry {name}, {mb} MB (true {true_mib} MB)")
    return dict(entries), out


def case_heap_profile_pprof(a):
    pprof = shutil.which("google-pprof")
    if pprof is None:
        raise Failure("google-pprof is not installed: this test needs Debian's google-perftools "
                      "(`make test` installs it; or apt-get install google-perftools)")
    program = a.heap_profile_program
    with tempfile.TemporaryDirectory(prefix="hakmem-heap-profile-") as d:
        profile = os.path.join(d, "program.heap")
        p = run([program], a.lib, {"HAKMEM_HEAP_PROFILE": profile, "HAKMEM_SAMPLE_BYTES": str(PROFILE_SAMPLE_BYTES)})
        if p.returncode != 0 or not os.path.exists(profile):
            raise Failure(f"the program did not run or wrote no profile: {describe(p)}")
        with open(profile) as f:
            header = f.readline()
        if not re.fullmatch(rf"heap profile: \d+: \d+ \[\d+: \d+\] @ heap_v2/{PROFILE_SAMPLE_BYTES}\n", header):
            raise Failure(f"unexpected header: {header!r}")
        live, out = expect_pprof_top(pprof, program, profile, [], "hp_keeps_most", 24, "live heap (inuse_space)")
        if "hp_keeps_some" not in live or live.get("hp_churns_most", 0) > 0:
            raise Failure(f"the live heap must hold hp_keeps_some and nothing of hp_churns_most:\n{out}")
        print(f"ok: the live heap also holds hp_keeps_some ({live['hp_keeps_some']} MB of 6) and nothing churned")
        expect_pprof_top(pprof, program, profile, ["--alloc_space"], "hp_churns_most", 192, "allocations (alloc_space)")


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--probe", required=True)
    ap.add_argument("--script-dir", required=True)
    ap.add_argument("--heap-profile-program", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    a = ap.parse_args()
    if not os.path.exists(a.lib):
        print(f"FAIL: {a.lib} does not exist", file=sys.stderr)
        return 1
    a.lib = os.path.abspath(a.lib)
    try:
        CASES[a.case](a)
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
