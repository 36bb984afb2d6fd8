#!/usr/bin/python3
"""Checks docker-compose.yml and the files it mounts, with the real tools and no
Docker engine: the file against the compose-spec JSON schema (vendored in
deploy/schemas/compose-spec/), the services SPEC §8 asks for, secrets that
never come from a file in the repository, HAProxy's config with `haproxy -c`
and Prometheus' with `promtool check config`. The mounted files are laid out
in a temporary root at the container paths the compose file names, so the
tools resolve them as the containers would (Prometheus' rule files included:
deploy/prometheus/*.yml).

Usage: deploy_compose_test.py SOURCE_DIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import yaml

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def need(tool):
    path = shutil.which(tool)
    check(path is not None, f"{tool} is not installed (scripts/install-deps --test)")
    return path


def lay_out_mounts(source, service, root):
    """Copies the bind mounts of a service to root/<container path>; returns them."""
    mounts = {}
    for volume in service.get("volumes", []):
        host, _, rest = volume.partition(":")
        if not host.startswith("./"):
            continue  # a named volume: nothing from the repository
        target = rest.split(":")[0]
        src = os.path.join(source, host[2:])
        dst = os.path.join(root, target.lstrip("/"))
        check(os.path.exists(src), f"{volume}: {host} does not exist")
        if not os.path.exists(src):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, dst)
        mounts[target] = dst
    return mounts


def check_haproxy(source, services, root):
    mounts = lay_out_mounts(source, services["haproxy"], root)
    cfg = mounts.get("/usr/local/etc/haproxy/haproxy.cfg")
    check(cfg is not None, "haproxy does not mount its config at /usr/local/etc/haproxy/haproxy.cfg")
    if not cfg or not need("haproxy"):
        return
    r = subprocess.run(["haproxy", "-c", "-f", cfg], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, f"haproxy -c refused deploy/compose/haproxy.cfg:\n{r.stdout}{r.stderr}")
    # Offline, the instances' names cannot resolve: that warning is expected, no other.
    warnings = [l for l in (r.stdout + r.stderr).splitlines()
                if "[WARNING]" in l and "could not resolve address" not in l]
    check(not warnings, "haproxy -c warns:\n" + "\n".join(warnings))
    text = open(cfg).read()
    check("option httpchk GET /readyz" in text, "HAProxy does not check /readyz")
    for name in ("concertd-1", "concertd-2"):
        check(f"server {name} {name}:8080 check" in text, f"HAProxy has no checked server {name}")


def check_prometheus(source, services, root):
    mounts = lay_out_mounts(source, services["prometheus"], root)
    cfg = mounts.get("/etc/prometheus/prometheus.yml")
    check(cfg is not None, "prometheus does not mount its config at /etc/prometheus/prometheus.yml")
    if not cfg or not need("promtool"):
        return
    config = yaml.safe_load(open(cfg))
    rule_files = config.get("rule_files", [])
    check("rules/alerts.yml" in rule_files, "Prometheus does not load the alert rules (deploy/prometheus/alerts.yml)")
    for rule_file in rule_files:
        check(os.path.exists(os.path.join(os.path.dirname(cfg), rule_file)),
              f"Prometheus' rule file {rule_file} is not in the mounted deploy/prometheus/")
    targets = [t for job in config.get("scrape_configs", []) for sc in job.get("static_configs", [])
               for t in sc.get("targets", [])]
    for name in ("concertd-1:8080", "concertd-2:8080"):
        check(name in targets, f"Prometheus does not scrape {name}")
    r = subprocess.run(["promtool", "check", "config", cfg], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"promtool check config failed:\n{r.stdout}{r.stderr}")


def check_services(compose):
    services = compose.get("services", {})
    for name in ("mysql", "redis", "migrate", "concertd-1", "concertd-2", "haproxy", "prometheus"):
        check(name in services, f"no service {name}")
    check(services.get("mysql", {}).get("image", "").startswith("mysql:8"), "mysql is not MySQL 8")
    redis_cmd = " ".join(services.get("redis", {}).get("command", []))
    check("redis.conf" in redis_cmd and any(v.startswith("./deploy/redis.conf:")
                                            for v in services.get("redis", {}).get("volumes", [])),
          "redis does not run with the project's deploy/redis.conf")
    check(services.get("migrate", {}).get("command", [None])[0] == "migrate", "the migrate service does not run concertd migrate")
    for name in ("concertd-1", "concertd-2"):
        s = services.get(name, {})
        env = s.get("environment", {})
        check(env.get("CONCERTD_PROFILE") == "local", f"{name} is not on the local profile")
        for var in ("CONCERTD_MYSQL_URL", "CONCERTD_REDIS_URL"):
            check(var in env, f"{name} has no {var}")
        check(env.get("CONCERTD_JWT_SECRET_FILE") == "/run/secrets/jwt_secret" and "jwt_secret" in s.get("secrets", []),
              f"{name} does not read its JWT secret from the compose secret")
        check("CONCERTD_JWT_SECRET" not in env, f"{name} has a JWT secret in plain environment")
        check(s.get("depends_on", {}).get("migrate", {}).get("condition") == "service_completed_successfully",
              f"{name} may start before the schema is migrated")
    # A secret's value comes from the operator's environment, never from a file in the repository.
    for name, secret in compose.get("secrets", {}).items():
        check("environment" in secret or secret.get("external"), f"secret {name} is not taken from the environment")
        check("file" not in secret, f"secret {name} is read from a file that could be committed")
    return services


def main():
    source = sys.argv[1]
    compose = yaml.safe_load(open(os.path.join(source, "docker-compose.yml")))
    schema = json.load(open(os.path.join(source, "deploy/schemas/compose-spec/compose-spec.json")))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=str)
    for e in errors:
        failures.append(f"docker-compose.yml: {'/'.join(map(str, e.absolute_path))}: {e.message}")
    services = check_services(compose)
    with tempfile.TemporaryDirectory() as root:
        if "haproxy" in services:
            check_haproxy(source, services, os.path.join(root, "haproxy"))
        if "prometheus" in services:
            check_prometheus(source, services, os.path.join(root, "prometheus"))
    for f in failures:
        print("FAIL:", f)
    print(f"deploy_compose_test: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
