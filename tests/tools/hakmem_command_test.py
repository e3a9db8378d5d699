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
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

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


# A program that allocates for a while: long enough for the learner (10 ms
# epochs) to run its first match, whatever the machine's load.
BUSY_PROG = ("import time\n"
             "t = time.time()\n"
             "while time.time() - t < 1.5:\n"
             "    d = [bytearray(i % 5000) for i in range(20000)]\n"
             "    del d\n")


def stats_run(c, d, name, learn=None):
    """Runs BUSY_PROG under `hakmem run --json`; returns the file and its JSON."""
    argv = [c.hakmem, "run", "--json", name]
    if learn:
        argv += ["--learn", learn, "-o", "LEARN_EPOCH_MS=10", "-o", "PLAYBOOK=off"]
    p = run(argv + ["--", "python3", "-c", BUSY_PROG], cwd=d)
    path = os.path.join(d, name)
    if p.returncode != 0 or not os.path.exists(path):
        raise Failure(f"hakmem run --json {name} (learn={learn}): {describe(p)}")
    with open(path) as f:
        return path, json.load(f)


def report(c, argv):
    r = run([c.hakmem, "report"] + argv)
    if r.returncode != 0 or r.stderr:
        raise Failure(f"hakmem report {' '.join(argv)}: {describe(r)}")
    return r.stdout.decode()


def timeline_lines(out):
    """The (epoch, text) lines of the report's learner timeline, and whether the middle was left out."""
    if "\n  Timeline (" not in out:
        return None, False
    part = out.split("\n  Timeline (", 1)[1].split("\n\n", 1)[0]
    found = [(int(m.group(1)), m.group(2)) for m in re.finditer(r"^\s+(\d+)\s+[\d.]+ s  (.*)$", part, re.M)]
    return found, "more epochs left out" in part


def check_timeline(out, learner, mode):
    """The report's learner section against the file's learner object."""
    head = f"Learner: {mode}, {learner['epochs']} epoch"
    if head not in out:
        raise Failure(f"no line starting {head!r}:\n{out}")
    leader = "champion" if mode == "elo" else "leader"
    if f"  {leader} at exit: #{learner['champion']} " not in out:
        raise Failure(f"the {leader} at exit is #{learner['champion']} in the file:\n{out}")
    table = out.split("Candidates at exit", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^  ([* ])\s*(\d+) ", table, re.M)
    if len(rows) != len(learner["candidates"]) or [int(n) for _, n in rows] != list(range(len(rows))) or \
            [n for m, n in rows if m == "*"] != [str(learner["champion"])]:
        raise Failure(f"the candidates table does not list the file's {len(learner['candidates'])} "
                      f"candidates with #{learner['champion']} starred:\n{table}")
    h = learner["history"]
    if not h:
        raise Failure("the learner recorded no epoch: the program ran too briefly")
    lines, elided = timeline_lines(out)
    if not lines:
        raise Failure(f"no timeline lines:\n{out}")
    first = max(1, learner["epochs"] - len(h) + 1)
    # Every line is at an epoch where something happened (or the last, for
    # a match still on at exit)...
    moved = {first, first + len(h) - 1}
    for i in range(1, len(h)):
        a, b = h[i - 1], h[i]
        if any(a[k] != b[k] for k in ("candidate", "champion", "match")) or b["change"]:
            moved.add(first + i)
    if h[0]["change"]:
        moved.add(first)
    stray = [l for l in lines if l[0] not in moved]
    if stray:
        raise Failure(f"timeline lines at epochs where the history shows nothing happening: {stray} "
                      f"(epochs {learner['epochs']}, {len(h)} in the history)")
    if len(lines) > 41:
        raise Failure(f"{len(lines)} timeline lines: a long timeline must be cut to its ends")
    # ...and, unless the middle was left out, every phase change, match result
    # and champion change of the file has its line.
    if not elided:
        text = {n: t for n, t in lines}
        for i, e in enumerate(h):
            n = first + i
            if e["change"] and "phase change" not in text.get(n, ""):
                raise Failure(f"epoch {n}'s phase change is not in the timeline: {lines}")
            if i and h[i - 1]["match"] and not e["match"] and "match over" not in text.get(n, ""):
                raise Failure(f"the match that ended at epoch {n} is not in the timeline: {lines}")
            if i and e["champion"] != h[i - 1]["champion"] and f"#{e['champion']}" not in text.get(n, ""):
                raise Failure(f"the new {leader} #{e['champion']} at epoch {n} is not in the timeline: {lines}")
    return lines


def case_report_shows_the_learners_timeline(c):
    with tempfile.TemporaryDirectory() as d:
        for mode in ("elo", "ucb1"):
            path, data = stats_run(c, d, f"{mode}.json", learn=mode)
            lines = check_timeline(report(c, [path]), data["learner"], mode)
            print(f"ok: {mode}: {data['learner']['epochs']} epochs, {len(lines)} timeline lines, e.g. {lines[-1]}")
        path, data = stats_run(c, d, "plain.json")
        out = report(c, [path])
        if data["learner"]["mode"] != "off" or "Learner" in out or "Timeline" in out or "learner" in out:
            raise Failure(f"a run without the learner must have no learner section:\n{out}")
        print("ok: no learner section without the learner")


SVG = "{http://www.w3.org/2000/svg}"


def svg_titles(root, tag):
    """The <title> texts of every `tag` element of an SVG tree."""
    return [(e, e.find(SVG + "title").text) for e in root.iter(SVG + tag) if e.find(SVG + "title") is not None]


def names(name, location):
    """Whether a plot's site name is that of the site at `location` (symbolised or not)."""
    return name == location or name.startswith(location + " ")


def check_site_plots(plots, data, top):
    sites = sorted(data["sites"], key=lambda s: -s["bytes"])[:top]
    bars = svg_titles(plots["sites_bytes.svg"], "rect")
    if len(bars) != len(sites):
        raise Failure(f"sites_bytes.svg: {len(bars)} bars for {len(sites)} sites")
    for s, (bar, title) in zip(sites, bars):
        if not names(title.rsplit(": ", 1)[0], s["location"]):
            raise Failure(f"sites_bytes.svg: the bar of {s['location']} is titled {title!r}")
    # Bars as long as their bytes (to a pixel: coordinates have one decimal,
    # and the shortest bar is one pixel).
    widths = [float(bar.get("width")) for bar, _ in bars]
    expected = [s["bytes"] / sites[0]["bytes"] * widths[0] for s in sites]
    if any(abs(w - e) > 1.1 for w, e in zip(widths, expected)):
        raise Failure(f"sites_bytes.svg: bar widths {widths} are not in proportion to the bytes: {expected}")
    for name, p50, p95, freed in (("site_sizes.svg", "size_p50", "size_p95", None),
                                  ("site_lifetimes.svg", "lifetime_p50_ns", "lifetime_p95_ns", "freed_samples")):
        boxes = {t.split(": p50")[0]: b for b, t in svg_titles(plots[name], "rect") if ": p50 " in t}
        shown = [s for s in sites if freed is None or s[freed] > 0]
        if len(boxes) != len(shown):
            raise Failure(f"{name}: {len(boxes)} boxes for {len(shown)} sites with quantiles")
        placed = []
        for s in shown:
            box = next((b for n, b in boxes.items() if names(n, s["location"])), None)
            if box is None:
                raise Failure(f"{name}: no box for {s['location']}: {list(boxes)}")
            placed.append((max(s[p50], 1), max(s[p95], 1), float(box.get("x")),
                           float(box.get("x")) + float(box.get("width"))))
        # The log axis keeps the order of the quantiles: a smaller p50 sits left
        # (a box is at least 2 px wide).
        for a in placed:
            for b in placed:
                if a[0] < b[0] and not a[2] < b[2]:
                    raise Failure(f"{name}: p50 {a[0]} is drawn right of p50 {b[0]}: {placed}")
                if a[1] < b[1] and not a[3] <= b[3] + 2:
                    raise Failure(f"{name}: p95 {a[1]} is drawn right of p95 {b[1]}: {placed}")


def check_learner_plot(plot, learner):
    h = learner["history"]
    strip = [re.match(r"#(\d+) ran epochs (\d+)-(\d+): ", t) for _, t in svg_titles(plot, "rect")]
    strip = [m for m in strip if m]
    covered = sum(int(m.group(3)) - int(m.group(2)) + 1 for m in strip)
    if covered != len(h):
        raise Failure(f"learner_cost.svg: the strategy strip covers {covered} epochs of {len(h)}")
    ran = [int(m.group(1)) for m in strip]
    runs = [e["candidate"] for i, e in enumerate(h) if i == 0 or e["candidate"] != h[i - 1]["candidate"]]
    if ran != runs:
        raise Failure(f"learner_cost.svg: the strip shows candidates {ran}, the history {runs}")
    phases = [t for _, t in svg_titles(plot, "line") if t.endswith(": phase change")]
    if len(phases) != sum(e["change"] for e in h):
        raise Failure(f"learner_cost.svg: {len(phases)} phase-change marks, the history has {sum(e['change'] for e in h)}")
    if len(list(plot.iter(SVG + "polyline"))) == 0 and len(h) > 1:
        raise Failure("learner_cost.svg: no cost line (memory has one value per epoch)")
    legend = " ".join(t.text or "" for t in plot.iter(SVG + "text"))
    if f"#{learner['champion']} " not in legend or "at exit" not in legend:
        raise Failure(f"learner_cost.svg: the legend does not name the champion #{learner['champion']}: {legend}")


def case_report_svg_and_html(c):
    with tempfile.TemporaryDirectory() as d:
        path, data = stats_run(c, d, "elo.json", learn="elo")
        svg_dir = os.path.join(d, "plots", "elo")  # created with its parent
        html = os.path.join(d, "report.html")
        out = report(c, ["--top", "5", "--svg", svg_dir, "--html", html, path])
        expected = {"sites_bytes.svg", "site_sizes.svg", "site_lifetimes.svg", "learner_cost.svg"}
        if set(os.listdir(svg_dir)) != expected or f"Plots in {svg_dir}: " not in out or html not in out:
            raise Failure(f"--svg wrote {sorted(os.listdir(svg_dir))}, expected {sorted(expected)}:\n{out}")
        plots = {}
        for name in sorted(expected):
            try:
                plots[name] = ET.parse(os.path.join(svg_dir, name)).getroot()
            except ET.ParseError as e:
                raise Failure(f"{name} is not well-formed XML: {e}")
            if plots[name].tag != SVG + "svg":
                raise Failure(f"{name}: the root is {plots[name].tag}, not an SVG element")
        check_site_plots(plots, data, 5)
        check_learner_plot(plots["learner_cost.svg"], data["learner"])
        print(f"ok: {len(plots)} SVG files, well-formed, {len(data['sites'])} sites and "
              f"{len(data['learner']['history'])} epochs drawn")
        try:
            page = ET.parse(html).getroot()
        except ET.ParseError as e:
            raise Failure(f"{html} is not well-formed: {e}")
        inline = page.findall(".//" + SVG + "svg")
        pre = "".join(page.find(".//{http://www.w3.org/1999/xhtml}pre").itertext())
        if len(inline) != len(expected) or "Summary" not in pre or "Timeline" not in pre:
            raise Failure(f"the HTML page must hold the text report and {len(expected)} SVG plots, "
                          f"has {len(inline)}: {pre[:300]}")
        titles = sorted(e.find(SVG + "title").text for e in inline)
        if titles != sorted(p.find(SVG + "title").text for p in plots.values()):
            raise Failure(f"the HTML page's plots are not the SVG files': {titles}")
        print(f"ok: {os.path.basename(html)} parses, holds the report and {len(inline)} plots")
        # Without the learner: the sites' plots only.
        path, data = stats_run(c, d, "plain.json")
        plain_dir = os.path.join(d, "plain")
        report(c, ["--svg", plain_dir, path])
        if set(os.listdir(plain_dir)) != expected - {"learner_cost.svg"}:
            raise Failure(f"without the learner --svg wrote {sorted(os.listdir(plain_dir))}")
        print("ok: no learner plot without the learner")


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
        p = run([c.hakmem, "run", "--json", "good.json", "--", "true"], cwd=d)
        good = os.path.join(d, "good.json")
        if p.returncode != 0 or not os.path.exists(good):
            raise Failure(f"hakmem run --json good.json -- true: {describe(p)}")
        # Outputs that cannot be written: a directory under a regular file,
        # a page in a directory that does not exist or over a directory.
        c.expect_one_error(["report", "--svg", os.path.join(good, "plots"), good], 1,
                           r"cannot create the directory .*good.json/plots", "--svg under a regular file")
        c.expect_one_error(["report", "--html", os.path.join(d, "no", "such", "r.html"), good], 1,
                           r"cannot write .*r.html: No such file", "--html into a missing directory")
        c.expect_one_error(["report", "--html", d, good], 1, r"cannot write .*: Is a directory", "--html over a directory")
        c.expect_one_error(["report", good, "--svg"], 2, r"--svg needs a directory", "--svg without a directory")
        c.expect_one_error(["report", "--html", "", good], 2, r"--html needs a non-empty name", "--html ''")
        # A learner object that names a candidate it does not list.
        with open(good) as f:
            data = json.load(f)
        data["learner"] = {"mode": "elo", "epochs": 1, "champion": 0, "candidates": [],
                           "history": [{"t_ms": 5, "candidate": 3, "champion": 0}]}
        bad = os.path.join(d, "bad_learner.json")
        with open(bad, "w") as f:
            json.dump(data, f)
        c.expect_one_error(["report", bad], 1, r"learner history entry 0 .*candidate", "a malformed learner object")


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
