#!/usr/bin/env python3
"""The ABI checks of libhakmem.so (tests/abi/CMakeLists.txt, `make abi-baseline`).

  exports  - the dynamic symbols the library defines are exactly those in
             exports.txt, each with its version (name@@HAKMEM_1.x for hak_*,
             bare for the malloc family, which must stay unversioned to
             interpose): a leaked internal symbol or a function moved to
             another node fails.
  abidiff  - libabigail's abidiff of the library against the committed
             baseline (lib<name>.abi): any change fails with the diff; a
             removed symbol is named incompatible, any other change must be
             either undone or recorded on purpose with `make abi-baseline`.
  update   - rewrites exports.txt and lib<name>.abi from a library (what
             `make abi-baseline` runs after a deliberate, compatible addition).

The baseline holds no path of the build machine: abidw drops the corpus and
compilation directory paths and the source locations, type ids are hashes,
and src/CMakeLists.txt compiles api/hak_api.cpp (the one file with debug
information) with -fdebug-prefix-map, so its own path is relative.
"""
import argparse
import subprocess
import sys

# No --drop-private-types: it classifies types by the header that declares
# them, so a public struct member whose type changes from uint64_t to uint32_t
# (both from a system header) was reported as no change. abidiff reports only
# changes reachable from the exported functions anyway.
ABIDW_OPTIONS = ["--no-corpus-path", "--no-comp-dir-path", "--no-show-locs", "--no-elf-needed",
                 "--no-architecture", "--type-id-style", "hash"]

# abidiff's exit status is a bit set (libabigail's abidiff documentation).
ABIDIFF_ERROR, ABIDIFF_USAGE, ABIDIFF_CHANGE, ABIDIFF_INCOMPATIBLE = 1, 2, 4, 8


def exported_symbols(lib):
    """Defined dynamic symbols as readelf prints them: name, name@@VER or name@VER."""
    out = subprocess.run(["readelf", "--dyn-syms", "--wide", lib], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        # Num: Value Size Type Bind Vis Ndx Name
        if len(fields) < 8 or not fields[0].endswith(":") or fields[6] == "UND":
            continue
        if fields[4] in ("GLOBAL", "WEAK") and fields[5] == "DEFAULT":
            names.add(fields[7])
    return sorted(names)


def check_exports(lib, expected_path):
    with open(expected_path) as f:
        expected = sorted(l.strip() for l in f if l.strip() and not l.startswith("#"))
    actual = exported_symbols(lib)
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if not missing and not extra:
        print(f"{lib}: exports the {len(actual)} symbols of {expected_path}")
        return 0
    for name in missing:
        print(f"missing or moved: {name}")
    for name in extra:
        print(f"not in the ABI:   {name}")
    print(f"{lib} does not export exactly {expected_path}. A removed or re-versioned symbol "
          "breaks programs built against the baseline. A new hak_* function belongs in a new "
          "version node of src/api/hakmem.map (with HAKMEM_ABI_VERSION_MINOR raised); once it "
          "is there, `make abi-baseline` records it. Anything else should stay hidden.")
    return 1


def run_abidiff(lib, baseline):
    cmd = ["abidiff", "--no-architecture", baseline, lib]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        print("abidiff is not installed (Debian: abigail-tools; `make deps` installs it)")
        return 1
    if proc.returncode == 0:
        print(f"{lib}: no ABI change against {baseline}")
        return 0
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode & (ABIDIFF_ERROR | ABIDIFF_USAGE):
        print(f"abidiff failed (status {proc.returncode}): {' '.join(cmd)}")
    elif proc.returncode & ABIDIFF_INCOMPATIBLE:
        print("INCOMPATIBLE ABI change: programs built against the baseline would break. "
              "Restore the old symbol or type; do not update the baseline for this.")
    else:
        # abidiff sets the incompatible bit only for removed symbols; a
        # changed member type lands here too, so the message cannot say more.
        print("The ABI changed. A changed type or signature breaks programs built against the "
              "baseline: undo it. A deliberate compatible addition (a new function, a field "
              "appended to a struct that starts with struct_size) is recorded on purpose: new "
              "functions in a new version node of src/api/hakmem.map, HAKMEM_ABI_VERSION_MINOR "
              "raised, then `make abi-baseline`.")
    return 1


def update(lib, baseline, expected_path):
    subprocess.run(["abidw", *ABIDW_OPTIONS, "--out-file", baseline, lib],
                   check=True)
    with open(expected_path, "w") as f:
        f.write("# The dynamic symbols libhakmem.so defines (tests/abi/abi_check.py; "
                "`make abi-baseline` rewrites this file)\n")
        for name in exported_symbols(lib):
            f.write(name + "\n")
    print(f"wrote {baseline} and {expected_path} from {lib}")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["exports", "abidiff", "update"])
    ap.add_argument("--lib", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--expected")
    a = ap.parse_args()
    if a.mode == "exports":
        return check_exports(a.lib, a.expected)
    if a.mode == "abidiff":
        return run_abidiff(a.lib, a.baseline)
    return update(a.lib, a.baseline, a.expected)


if __name__ == "__main__":
    sys.exit(main())
