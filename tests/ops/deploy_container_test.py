#!/usr/bin/python3
"""Checks the Dockerfile and .dockerignore without a Docker engine (none runs
where the tests do): the build stage runs the scripts CI runs; the runtime
stage runs as a numeric non-root user, exposes 8080, stops with SIGTERM and
installs the Debian package of every shared library `ldd` lists for the built
binaries (mapped with `dpkg -S` on this Debian 12); its HEALTHCHECK command,
run against the real concertd, passes on /healthz and fails on a dead port;
the build context leaves out build trees and keeps every source the build needs.

Usage: deploy_container_test.py SOURCE_DIR CONCERTD_BINARY PGSIM_BINARY"""
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def instructions(path):
    """Dockerfile instructions as (KEYWORD, argument text) with line continuations joined."""
    out, pending = [], ""
    for line in open(path):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        pending += stripped[:-1] + " " if stripped.endswith("\\") else stripped
        if not stripped.endswith("\\"):
            keyword, _, rest = pending.partition(" ")
            out.append((keyword.upper(), rest.strip()))
            pending = ""
    return out


def stages(instrs):
    result = []
    for keyword, rest in instrs:
        if keyword == "FROM":
            result.append({"from": rest, "instrs": []})
        else:
            result[-1]["instrs"].append((keyword, rest))
    return result


def ldd_packages(binary):
    """Debian packages providing the shared libraries `ldd` resolves for binary."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True, timeout=30).stdout
    packages = {}
    for line in out.splitlines():
        m = re.search(r"=>\s+(/\S+)", line)
        if not m:
            continue
        lib = m.group(1)
        # Debian 12 is usr-merged: dpkg knows a file under one of /lib and /usr/lib.
        real = os.path.realpath(lib)
        candidates = {lib, real}
        for c in list(candidates):
            candidates.add(c[4:] if c.startswith("/usr/") else "/usr" + c)
        owner = None
        for c in sorted(candidates):
            r = subprocess.run(["dpkg", "-S", c], capture_output=True, text=True, timeout=30)
            if r.returncode == 0:
                owner = r.stdout.split(":")[0]
                break
        packages[lib] = owner
    return packages


def installed_by_apt(run_args):
    """Package names of every `apt-get install` in the RUN instructions given."""
    names = set()
    for command in run_args:
        for part in command.split("&&"):
            words = shlex.split(part)
            if "apt-get" in words and "install" in words:
                names.update(w for w in words[words.index("install") + 1:] if not w.startswith("-"))
    return names


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_healthcheck(command, port):
    argv = [a.replace("127.0.0.1/8080", f"127.0.0.1/{port}") for a in command]
    return subprocess.run(argv, capture_output=True, timeout=10).returncode


def check_healthcheck(runtime, concertd):
    (hc,) = [rest for k, rest in runtime if k == "HEALTHCHECK"] or [None]
    check(hc is not None, "the runtime stage has no HEALTHCHECK")
    if hc is None:
        return
    m = re.search(r"\bCMD\s+(\[.*\])\s*$", hc)
    check(m is not None, f"HEALTHCHECK is not an exec-form CMD: {hc}")
    if not m:
        return
    command = json.loads(m.group(1))
    check("127.0.0.1/8080" in " ".join(command), "HEALTHCHECK does not probe 127.0.0.1:8080 (the image's port)")
    check("/healthz" in " ".join(command), "HEALTHCHECK does not ask /healthz")
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen([concertd, "--listen", f"127.0.0.1:{port}", "--data-dir", data],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 15
            while run_healthcheck(command, port) != 0 and time.monotonic() < deadline:
                time.sleep(0.2)
            check(run_healthcheck(command, port) == 0, "HEALTHCHECK fails against a healthy concertd")
        finally:
            server.terminate()
            server.wait(timeout=20)
    check(run_healthcheck(command, port) != 0, "HEALTHCHECK passes with nothing listening")


def dockerignore_patterns(path):
    patterns = []
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(line)
    return patterns


def pattern_regex(pattern):
    """Docker's .dockerignore matching (Go filepath.Match, plus ** for any depth)."""
    out, i = "", 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + "$")


def ignored(path, patterns):
    """A path is left out when it or one of its parent folders matches; the last
    matching pattern decides, and a `!` pattern takes a path back in."""
    parts = path.split("/")
    verdict = False
    for p in patterns:
        negate = p.startswith("!")
        rx = pattern_regex(p[1:] if negate else p)
        if any(rx.match("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            verdict = not negate
    return verdict


def check_dockerignore(source):
    patterns = dockerignore_patterns(os.path.join(source, ".dockerignore"))
    for path in ["build/release/src/concertd", "build/release/CMakeCache.txt", "build-asan/x.o",
                 ".git/HEAD", "concertd-data/concertd.db", "tests/x/concertd-data/queue.json", "data/a.db",
                 "compile_commands.json"]:
        check(ignored(path, patterns), f".dockerignore lets {path} into the build context")
    # Everything the build stage needs: the tree CMake configures and what COPY names.
    needed = ["CMakeLists.txt", "scripts/install-deps", "scripts/build", "deploy/docker/concertd.json",
              "deploy/redis.conf"]
    for top in ["src", "schema", "cmake", "tools", "tests", "bench"]:
        for dirpath, _, files in os.walk(os.path.join(source, top)):
            rel = os.path.relpath(dirpath, source)
            needed += [os.path.join(rel, f) for f in files if f == "CMakeLists.txt" or f.endswith((".cpp", ".hpp", ".sql", ".lua", ".cmake"))]
    for path in needed:
        check(not ignored(path, patterns), f".dockerignore leaves out {path}, which the build needs")


def main():
    source, concertd, pgsim = sys.argv[1:4]
    all_stages = stages(instructions(os.path.join(source, "Dockerfile")))
    check(len(all_stages) == 2, f"expected a build and a runtime stage, found {len(all_stages)}")
    for s in all_stages:
        check(s["from"].split()[0] == "debian:bookworm-slim", f"a stage is not on debian:bookworm-slim: {s['from']}")
    build, runtime = all_stages[0]["instrs"], all_stages[-1]["instrs"]
    build_runs = [rest for k, rest in build if k == "RUN"]
    # CI's own entry points, so the image is built as CI builds (scripts/test calls these).
    check(any(re.search(r"(^|\s)scripts/install-deps(\s|$)", r) for r in build_runs),
          "the build stage does not run scripts/install-deps")
    check(any(re.search(r"(^|\s)scripts/build release\b.*\bconcertd\b", r) for r in build_runs),
          "the build stage does not run scripts/build release ... concertd")
    check(not any("cmake" in r.split() or "make" in r.split() for r in build_runs),
          "the build stage calls cmake/make itself instead of scripts/build")

    users = [rest for k, rest in runtime if k == "USER"]
    check(bool(users) and re.fullmatch(r"[1-9][0-9]*(:[1-9][0-9]*)?", users[-1] or ""),
          f"the runtime stage's last USER is not a numeric non-root id: {users}")
    check(("EXPOSE", "8080") in runtime, "the runtime stage does not EXPOSE 8080")
    check(("STOPSIGNAL", "SIGTERM") in runtime, "the runtime stage does not STOPSIGNAL SIGTERM")
    copies = " ".join(rest for k, rest in runtime if k == "COPY")
    check("--from=build" in copies and "build/release/src/concertd" in copies,
          "the runtime stage does not copy concertd from the build stage")
    config = re.search(r"(\S+)\s+/etc/concertd/concertd\.json", copies)
    check(config is not None, "the runtime stage does not install /etc/concertd/concertd.json")
    if config:
        settings = json.load(open(os.path.join(source, config.group(1))))
        check(settings.get("listen_host") == "0.0.0.0" and settings.get("listen_port") == 8080,
              "the container config does not listen on 0.0.0.0:8080")
        check(("VOLUME", settings.get("data_dir")) in runtime, "the container's data_dir is not a VOLUME")

    apt = installed_by_apt([rest for k, rest in runtime if k == "RUN"])
    for binary in (concertd, pgsim):
        for lib, package in ldd_packages(binary).items():
            check(package is not None, f"dpkg -S knows no package for {lib} ({binary})")
            if package:
                check(package in apt, f"{lib} ({package}) is needed by {os.path.basename(binary)} "
                                      f"but the runtime stage does not install {package}")
    check_healthcheck(runtime, concertd)
    check_dockerignore(source)

    for f in failures:
        print("FAIL:", f)
    print(f"deploy_container_test: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
