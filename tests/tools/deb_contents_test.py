#!/usr/bin/env python3
"""The Debian packages (cmake/packaging.cmake, `make deb`), label `tools`.

Runs CPack's DEB generator on the build tree into a temporary directory, reads
the three packages with dpkg-deb -c and -f, and unpacks libhakmem and
hakmem-tools into one temporary root (never the system) to check that the
packaged command finds the packaged library and runs a program with it.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

TIMEOUT_S = 240


class Failure(Exception):
    pass


def run(argv, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAKMEM_") and k != "LD_PRELOAD"}
    env["LC_ALL"] = "C"
    try:
        return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise Failure(f"timed out after {TIMEOUT_S}s: {argv}")


def check(p, what):
    if p.returncode != 0:
        raise Failure(f"{what}: exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p.stdout


def contents(deb):
    """The paths a package installs (links as 'path -> target'), without directories."""
    paths = []
    for line in check(run(["dpkg-deb", "-c", deb]), f"dpkg-deb -c {deb}").splitlines():
        path = line.split(None, 5)[5]
        if not path.endswith("/"):
            paths.append(path[1:] if path.startswith(".") else path)
    return paths


def expect_paths(name, paths, patterns, forbidden):
    for pat in patterns:
        if not any(re.fullmatch(pat, p) for p in paths):
            raise Failure(f"{name} lacks {pat}; it has:\n" + "\n".join(paths))
    for pat in forbidden:
        bad = [p for p in paths if re.search(pat, p)]
        if bad:
            raise Failure(f"{name} must not hold {pat}: {bad}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as out:
        check(run(["cpack", "-G", "DEB", "-B", out], cwd=a.build_dir), "cpack -G DEB")
        debs = {re.sub(r"_.*", "", os.path.basename(d)): d for d in glob.glob(os.path.join(out, "*.deb"))}
        if sorted(debs) != ["hakmem-tools", "libhakmem", "libhakmem-dev"]:
            raise Failure(f"expected libhakmem, libhakmem-dev and hakmem-tools, got {sorted(debs)}")
        lib = r"/usr/lib(/[a-z0-9_-]+-linux-gnu)?/"
        expect_paths("libhakmem", contents(debs["libhakmem"]),
                     [lib + r"libhakmem\.so\.0\.\d+\.\d+", lib + r"libhakmem\.so\.0 -> libhakmem\.so\.0\.\d+\.\d+",
                      lib + r"libhakmem_secure\.so\.0\.\d+\.\d+", lib + r"libhakmem_secure\.so\.0 -> .*"],
                     [r"/include/", r"/bin/", r"\.a$", r"\.so ->", r"/cmake/", r"/pkgconfig/"])
        expect_paths("libhakmem-dev", contents(debs["libhakmem-dev"]),
                     [r"/usr/include/hakmem/hakmem\.h", r"/usr/include/hakmem/memory_resource\.hpp",
                      lib + r"libhakmem\.a", lib + r"libhakmem_secure\.a", lib + r"libhakmem\.so -> libhakmem\.so\.0",
                      lib + r"cmake/hakmem/hakmemConfig\.cmake", lib + r"cmake/hakmem/hakmemTargets\.cmake",
                      lib + r"pkgconfig/hakmem\.pc"],
                     [r"^[^ ]*\.so\.0", r"/bin/"])
        expect_paths("hakmem-tools", contents(debs["hakmem-tools"]),
                     [r"/usr/bin/hakmem", r"/usr/share/man/man1/hakmem\.1(\.gz)?"],
                     [r"\.so", r"/include/"])
        for name in ("libhakmem-dev", "hakmem-tools"):
            depends = check(run(["dpkg-deb", "-f", debs[name], "Depends"]), f"dpkg-deb -f {name}")
            if not re.search(r"\blibhakmem \(= ", depends):
                raise Failure(f"{name} must depend on the same version of libhakmem: Depends: {depends}")

        # Unpacked side by side (as dpkg would install them), the packaged command
        # finds the packaged library and passes the program's output through.
        root = os.path.join(out, "root")
        for name in ("libhakmem", "hakmem-tools"):
            check(run(["dpkg-deb", "-x", debs[name], root]), f"dpkg-deb -x {name}")
        p = run([os.path.join(root, "usr/bin/hakmem"), "run", "--stats", "--", "echo", "packaged"])
        if p.returncode != 0 or p.stdout != "packaged\n" or "hakmem stats" not in p.stderr:
            raise Failure(f"unpacked hakmem run --stats: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    print("ok: libhakmem, libhakmem-dev and hakmem-tools hold their files; "
          "the unpacked hakmem run works")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
