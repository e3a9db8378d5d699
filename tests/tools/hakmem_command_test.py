#!/usr/bin/env python3
"""The installed `hakmem` command, on real programs.

One case per invocation (tests/tools/CMakeLists.txt, label `tools`):
    hakmem_command_test.py --prefix PREFIX --case NAME
PREFIX is an install tree made by `cmake --install` (the test fixture), so
the command finds its library the way it does for users: bin/../lib.
Exit status 0 = pass; on failure the reason is printed.
"""
import argparse
import glob
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
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAKMEM_") and k != "LD_PRELOAD"}
    env["LC_ALL"] = "C"
    return env


def run(argv, env_extra=None, cwd=None):
    env = base_env()
    env.update(env_extra or {})
    try:
        return subprocess.run(argv, env=env, capture_output=True, timeout=TIMEOUT_S, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise Failure(f"timed out after {TIMEOUT_S}s: {argv}")


def describe(p):
    return (f"exit {p.returncode}\n--- stdout ---\n{p.stdout.decode(errors='replace')[:2000]}"
            f"\n--- stderr ---\n{p.stderr.decode(errors='replace')[:2000]}")


def lines(data):
    return [l for l in data.decode(errors="replace").split("\n") if l]


class Case:
    def __init__(self, prefix):
        self.prefix = prefix
        self.hakmem = os.path.join(prefix, "bin", "hakmem")
        libs = glob.glob(os.path.join(prefix, "lib*", "**", "libhakmem.so.*"), recursive=True)
        if not os.access(self.hakmem, os.X_OK) or not libs:
            raise Failure(f"{prefix} is not a hakmem install tree (bin/hakmem, lib/libhakmem.so.*)")
        self.libdir = os.path.dirname(sorted(libs)[0])

    def expect_one_error(self, argv, status, pattern, what):
        p = run([self.hakmem] + argv)
        if p.returncode != status:
            raise Failure(f"{what}: expected exit {status}: {describe(p)}")
        err = lines(p.stderr)
        if len(err) != 1 or not err[0].startswith("hakmem: ") or not re.search(pattern, err[0]):
            raise Failure(f"{what}: expected one line 'hakmem: ...' matching {pattern!r}: {describe(p)}")
        if p.stdout:
            raise Failure(f"{what}: nothing belongs on stdout: {describe(p)}")
        print(f"ok: {what}: exit {status}: {err[0]}")


# ---- cases ------------------------------------------------------------------

def case_version(c):
    p = run([c.hakmem, "--version"])
    if p.returncode != 0 or not re.fullmatch(rb"hakmem \d+\.\d+\.\d+ \(ABI \d+\.\d+\)\n", p.stdout):
        raise Failure(f"--version: {describe(p)}")
    print("ok:", p.stdout.decode().strip())


def case_options_match_the_library(c):
    # `hakmem options` is generated from the library's table: the same names
    # the library itself prints with HAKMEM_VERBOSE=1, with a default and a meaning each.
    p = run([c.hakmem, "options"])
    if p.returncode != 0:
        raise Failure(f"options: {describe(p)}")
    listed = {}
    for l in lines(p.stdout):
        m = re.match(r"(HAKMEM_\w+)\s+(.+?)\s{2,}(\S+)\s{2,}(\S.*)$", l)
        if m:
            listed[m.group(1)] = (m.group(3), m.group(4))
    lib = glob.glob(os.path.join(c.libdir, "libhakmem.so.*"))[0]
    v = run(["true"], {"LD_PRELOAD": lib, "HAKMEM_VERBOSE": "1"})
    printed = set(re.findall(r"option (HAKMEM_\w+)=", v.stderr.decode()))
    if not printed or set(listed) != printed:
        raise Failure(f"`hakmem options` lists {sorted(listed)}, the library prints {sorted(printed)}")
    if listed["HAKMEM_PURGE_DELAY_MS"][0] != "250" or listed["HAKMEM_LARGE_CACHE"][0] != "64M":
        raise Failure(f"wrong defaults: {listed}")
    print(f"ok: {len(listed)} options, the same as the library's")


def case_run_passes_exit_status_and_output_through(c):
    p = run([c.hakmem, "run", "--", "sh", "-c", "echo out; echo err >&2; exit 7"])
    if p.returncode != 7 or p.stdout != b"out\n" or p.stderr != b"err\n":
        raise Failure(f"exit status or output changed: {describe(p)}")
    p = run([c.hakmem, "run", "--", "sh", "-c", "kill -TERM $$"])
    if p.returncode != -15:
        raise Failure(f"a program killed by SIGTERM must end `hakmem run` the same way: {describe(p)}")
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "lines")
        with open(data, "w") as f:
            f.write("".join(f"{(i * 7919) % 100003}\n" for i in range(50000)))
        plain = run(["sort", "-n", data])
        p = run([c.hakmem, "run", "sort", "-n", data])  # without `--` too
        if p.returncode != 0 or p.stdout != plain.stdout or p.stderr != b"":
            raise Failure(f"sort's output changed under hakmem run: {describe(p)}")
    print("ok: exit 7 and SIGTERM passed through; output identical")


def case_run_stats_prints_the_summary(c):
    plain = run(["ls", "/"])
    p = run([c.hakmem, "run", "--stats", "--", "ls", "/"])
    err = lines(p.stderr)
    if p.returncode != 0 or p.stdout != plain.stdout or not err or not err[0].startswith("hakmem stats"):
        raise Failure(f"--stats: ls must print its listing and then the summary on stderr: {describe(p)}")
    print("ok:", err[0])


def case_run_options_reach_the_library(c):
    p = run([c.hakmem, "run", "-o", "VERBOSE=1", "-oHAKMEM_PURGE_DELAY_MS=7", "--", "true"])
    err = p.stderr.decode()
    if p.returncode != 0 or "option HAKMEM_PURGE_DELAY_MS=7 " not in err:
        raise Failure(f"-o PURGE_DELAY_MS=7 did not reach the library: {describe(p)}")
    p = run([c.hakmem, "run", "--secure", "--", "sh", "-c", 'echo "$LD_PRELOAD"'], {"LD_PRELOAD": "libfoo.so"})
    preload = p.stdout.decode().strip()
    first = preload.split(":")[0]
    if p.returncode != 0 or not first.endswith("libhakmem_secure.so.0") or not os.path.exists(first) \
            or not preload.endswith(":libfoo.so"):
        raise Failure(f"--secure: expected the secure library first and LD_PRELOAD kept: {describe(p)}")
    print("ok: options set; --secure preloads", os.path.basename(first))
    p = run([c.hakmem, "run", "--learn", "elo", "-o", "VERBOSE=1", "-o", "PLAYBOOK=off", "--", "true"])
    if p.returncode != 0 or "option HAKMEM_LEARN=elo " not in p.stderr.decode():
        raise Failure(f"--learn elo did not reach the library: {describe(p)}")
    p = run([c.hakmem, "run", "--learn", "fast", "--", "true"])
    if p.returncode == 0 or len(lines(p.stderr)) != 1:
        raise Failure(f"--learn fast must be refused with one line: {describe(p)}")
    print("ok: --learn elo reaches the library; --learn fast is refused")


def case_run_json_then_report(c):
    with tempfile.TemporaryDirectory() as d:
        prog = ("import json\n"
                "d = [{'k': i, 'v': 'x' * (i % 100)} for i in range(100000)]\n"
                "print(len(json.dumps(d)))\n")
        p = run([c.hakmem, "run", "--json", "stats.%p.json", "--", "python3", "-c", prog], cwd=d)
        if p.returncode != 0 or p.stderr != b"":
            raise Failure(f"--json run failed: {describe(p)}")
        files = glob.glob(os.path.join(d, "stats.*.json"))
        if len(files) != 1:
            raise Failure(f"expected one stats file, found {files}")
        r = run([c.hakmem, "report", "--top", "5", files[0]])
        out = r.stdout.decode()
        if r.returncode != 0 or "Summary" not in out or "allocations" not in out or "Top " not in out:
            raise Failure(f"report: {describe(r)}")
        rows = [l for l in out.split("\n") if re.match(r"\s+\d+\s+\d", l)]
        if not 1 <= len(rows) <= 5:
            raise Failure(f"report: expected 1..5 site rows: {out}")
        print(f"ok: report of {os.path.basename(files[0])}, {len(rows)} site rows, first:\n{rows[0]}")


def case_run_profile_writes_a_heap_profile(c):
    # A relative FILE, and a program that changes directory before it exits:
    # the profile still lands where the user named it. HAKMEM_TELEMETRY=0 in
    # the environment: --profile turns telemetry on, or the profile is empty.
    pprof = shutil.which("google-pprof")
    if pprof is None:
        raise Failure("google-pprof is not installed (`make test` installs google-perftools)")
    with tempfile.TemporaryDirectory() as d:
        prog = ("import os\n"
                "os.chdir('/')\n"
                "kept = [bytearray(4096) for _ in range(20000)]\n"
                "print(len(kept))\n")
        p = run([c.hakmem, "run", "--profile", "app.%p.heap", "--", "python3", "-c", prog], {"HAKMEM_TELEMETRY": "0"},
                cwd=d)
        if p.returncode != 0 or p.stdout != b"20000\n" or p.stderr != b"":
            raise Failure(f"--profile run failed: {describe(p)}")
        files = glob.glob(os.path.join(d, "app.*.heap"))
        if len(files) != 1:
            raise Failure(f"expected one profile in {d}, found {files}")
        with open(files[0]) as f:
            text = f.read()
        head, _, maps = text.partition("\nMAPPED_LIBRARIES:\n")
        rows = head.split("\n")
        m = re.fullmatch(r"heap profile: (\d+): (\d+) \[(\d+): (\d+)\] @ heap_v2/(\d+)", rows[0])
        lines_ok = all(re.fullmatch(r"\d+: \d+ \[\d+: \d+\] @ 0x[0-9a-f]{16}", r) for r in rows[1:] if r)
        if not m or not lines_ok or len(rows) < 3 or "r-xp" not in maps:
            raise Failure(f"not a heap profile with sites and a memory map:\n{text[:3000]}")
        # 80 MB of bytearrays are about 160 samples at the default 512 KiB.
        if int(m.group(3)) < 50:
            raise Failure(f"the profile has almost no samples (was telemetry on?): {rows[0]}")
        python = os.path.realpath(shutil.which("python3"))
        q = run([pprof, "--text", "--alloc_space", python, files[0]])
        if q.returncode != 0 or not re.search(rb"^Total: [\d.]+ MB$", q.stdout, re.M):
            raise Failure(f"google-pprof cannot read the profile: {describe(q)}")
        print(f"ok: {os.path.basename(files[0])}: {rows[0]}; google-pprof: {lines(q.stdout)[0]}")


def case_bad_input_gets_one_line_and_a_failing_status(c):
    c.expect_one_error(["run", "--"], 125, r"no program", "no program")
    c.expect_one_error(["run", "--", "/no/such/program"], 127, r"cannot run /no/such/program", "missing program")
    c.expect_one_error(["run", "-o", "PURGE_DELAY=0", "--", "true"], 125,
                       r"unknown option HAKMEM_PURGE_DELAY .*closest: HAKMEM_PURGE_DELAY_MS", "unknown option")
    c.expect_one_error(["run", "-o", "VERBOSE", "--", "true"], 125, r"NAME=VALUE", "option without a value")
    c.expect_one_error(["run", "--frobnicate", "--", "true"], 125, r"unknown flag --frobnicate", "unknown flag")
    c.expect_one_error(["frobnicate"], 2, r"unknown command frobnicate", "unknown command")
    c.expect_one_error(["report"], 2, r"no file", "report without a file")
    with tempfile.TemporaryDirectory() as d:
        for name, text in (("empty.json", ""), ("other.json", '{"version": 2, "items": []}'),
                           ("text.json", "not json at all\n")):
            path = os.path.join(d, name)
            with open(path, "w") as f:
                f.write(text)
            c.expect_one_error(["report", path], 1, r"is not a hakmem stats file", f"report {name}")
        c.expect_one_error(["report", os.path.join(d, "missing.json")], 1, r"cannot read", "report of a missing file")


def case_refuses_when_the_library_is_not_installed_beside_it(c):
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "bin"))
        lonely = os.path.join(d, "bin", "hakmem")
        shutil.copy(c.hakmem, lonely)
        marker = os.path.join(d, "ran")
        p = run([lonely, "run", "--", "touch", marker])
        err = lines(p.stderr)
        if p.returncode != 125 or len(err) != 1 or "cannot use the library" not in err[0]:
            raise Failure(f"expected one line refusing and exit 125: {describe(p)}")
        if os.path.exists(marker):
            raise Failure("the program ran without hakmem")
        print("ok:", err[0])


def case_man_page_is_installed(c):
    page = os.path.join(c.prefix, "share", "man", "man1", "hakmem.1")
    if not os.path.exists(page):
        raise Failure(f"no man page at {page}")
    text = open(page).read()
    for needle in (".TH HAKMEM 1", ".SH SYNOPSIS", "hakmem run", ".SH EXIT STATUS", "\\-\\-profile"):
        if needle not in text:
            raise Failure(f"the man page lacks {needle!r}")
    if "@PROJECT_VERSION@" in text:
        raise Failure("the man page's version was not filled in")
    if shutil.which("man"):
        p = run(["man", "-l", page], {"MANPAGER": "cat", "MANWIDTH": "80"})
        if p.returncode != 0 or b"SYNOPSIS" not in p.stdout:
            raise Failure(f"man -l cannot render it: {describe(p)}")
    print("ok:", page)


CXX_CLIENT = r"""
#include <hakmem/memory_resource.hpp>
#include <cstdio>
#include <map>
#include <memory_resource>
#include <string>
#include <vector>
struct alignas(128) Wide { int v; };
int main() {
    if (hak_check_abi_version(HAKMEM_ABI_VERSION) != HAK_OK) return 1;
    hakmem::memory_resource arena{HAK_SITE()};
    std::pmr::unsynchronized_pool_resource pool{&arena};
    std::pmr::map<int, std::pmr::string> m{&pool};
    for (int i = 0; i < 1000; ++i) m.emplace(i, std::pmr::string(40, 'x'));
    std::vector<Wide, hakmem::site_allocator<Wide>> w{hakmem::site_allocator<Wide>{HAK_SITE()}};
    w.resize(100);
    if (reinterpret_cast<uintptr_t>(w.data()) % 128 != 0) return 2;
    if (hak_usable_size(w.data()) < 100 * sizeof(Wide)) return 3;
    std::printf("cxx client ok %zu\n", m.size());
    return 0;
}
"""

C_CLIENT = r"""
#include <hakmem/hakmem.h>
#include <stdio.h>
int main(void) {
    void* p = hak_alloc_at(100, HAK_SITE());
    if (p == NULL || hak_check_abi_version(HAKMEM_ABI_VERSION) != HAK_OK) return 1;
    hak_free(p);
    printf("c client ok\n");
    return 0;
}
"""


def case_clients_build_against_the_installed_package(c):
    # The headers, the CMake package and the pkg-config file of the install
    # tree, as a user's project sees them.
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "client.cpp"), "w") as f:
            f.write(CXX_CLIENT)
        with open(os.path.join(d, "client.c"), "w") as f:
            f.write(C_CLIENT)
        with open(os.path.join(d, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.20)\nproject(client C CXX)\n"
                    "set(CMAKE_CXX_STANDARD 20)\nfind_package(hakmem REQUIRED)\n"
                    "add_executable(cxx_client client.cpp)\ntarget_link_libraries(cxx_client PRIVATE hakmem::hakmem)\n"
                    "add_executable(c_client client.c)\nset_property(TARGET c_client PROPERTY C_STANDARD 99)\n"
                    "target_link_libraries(c_client PRIVATE hakmem::hakmem_static)\n")
        build = os.path.join(d, "build")
        for argv in (["cmake", "-S", d, "-B", build, f"-DCMAKE_PREFIX_PATH={c.prefix}"],
                     ["cmake", "--build", build, "-j1"]):
            p = run(argv)
            if p.returncode != 0:
                raise Failure(f"find_package(hakmem) client: {' '.join(argv)}: {describe(p)}")
        for exe, expect in (("cxx_client", b"cxx client ok 1000\n"), ("c_client", b"c client ok\n")):
            p = run([os.path.join(build, exe)])
            if p.returncode != 0 or p.stdout != expect:
                raise Failure(f"{exe}: {describe(p)}")
        pc_dirs = glob.glob(os.path.join(c.prefix, "lib*", "**", "pkgconfig"), recursive=True)
        env = {"PKG_CONFIG_PATH": ":".join(pc_dirs)}
        flags = run(["pkg-config", "--cflags", "--libs", "hakmem"], env)
        if flags.returncode != 0:
            raise Failure(f"pkg-config hakmem: {describe(flags)}")
        exe = os.path.join(d, "pc_client")
        p = run(["g++", "-std=c++20", os.path.join(d, "client.cpp"), "-o", exe] + flags.stdout.decode().split())
        if p.returncode != 0:
            raise Failure(f"g++ with pkg-config flags: {describe(p)}")
        p = run([exe], {"LD_LIBRARY_PATH": c.libdir})
        if p.returncode != 0 or p.stdout != b"cxx client ok 1000\n":
            raise Failure(f"pkg-config client: {describe(p)}")
        # A C99 client linked with the shared library binds each hak_* function
        # to the version node that introduced it (src/api/hakmem.map), which is
        # what keeps it running against a newer libhakmem.so.
        c_exe = os.path.join(d, "pc_c_client")
        p = run(["gcc", "-std=c99", os.path.join(d, "client.c"), "-o", c_exe] + flags.stdout.decode().split())
        if p.returncode != 0:
            raise Failure(f"gcc -std=c99 with pkg-config flags: {describe(p)}")
        p = run([c_exe], {"LD_LIBRARY_PATH": c.libdir})
        if p.returncode != 0 or p.stdout != b"c client ok\n":
            raise Failure(f"pkg-config C client: {describe(p)}")
        syms = run(["readelf", "--dyn-syms", "--wide", c_exe])
        for ref in (b"hak_alloc_at@HAKMEM_1.0", b"hak_check_abi_version@HAKMEM_1.0"):
            if ref not in syms.stdout:
                raise Failure(f"the C client does not reference {ref.decode()}: {describe(syms)}")
    print("ok: C++ (memory_resource.hpp) and C99 clients via find_package and pkg-config; "
          "the shared C client binds hak_*@HAKMEM_1.0")


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    a = ap.parse_args()
    try:
        CASES[a.case](Case(os.path.abspath(a.prefix)))
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
