#!/usr/bin/python3
"""Renders deploy/k8s (base, every overlay, monitoring) with `kubectl kustomize`
and checks every object against the published schemas vendored in
deploy/schemas/ (Kubernetes v1.30 standalone-strict, Argo Rollouts v1.9.1
CRDs; a Rollout's pod template against Kubernetes' PodTemplate too), then what
SPEC §8 and issue 14 ask of them: the canary's steps and analysis, the
analysis queries identical to deploy/analysis/queries.yaml (the text the
canary rehearsal evaluates), probes, resources, securityContext, a grace
period above the drain, secrets only by reference, HPA v2 on CPU and the p95
metric prometheus-adapter serves, a PDB, a NetworkPolicy; and the PromQL of
the analysis and of the adapter rule, and the scrape job, with promtool.

Usage: deploy_manifests_test.py SOURCE_DIR"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import yaml

failures = []

K8S = "kubernetes-v1.30.10"
ARGO = "argo-rollouts-v1.9.1"
SCHEMAS = {
    ("v1", "ConfigMap"): f"{K8S}/configmap-v1.json",
    ("v1", "Service"): f"{K8S}/service-v1.json",
    ("v1", "ServiceAccount"): f"{K8S}/serviceaccount-v1.json",
    ("networking.k8s.io/v1", "Ingress"): f"{K8S}/ingress-networking-v1.json",
    ("networking.k8s.io/v1", "NetworkPolicy"): f"{K8S}/networkpolicy-networking-v1.json",
    ("autoscaling/v2", "HorizontalPodAutoscaler"): f"{K8S}/horizontalpodautoscaler-autoscaling-v2.json",
    ("policy/v1", "PodDisruptionBudget"): f"{K8S}/poddisruptionbudget-policy-v1.json",
    ("argoproj.io/v1alpha1", "Rollout"): f"{ARGO}/rollout-argoproj-v1alpha1.json",
    ("argoproj.io/v1alpha1", "AnalysisTemplate"): f"{ARGO}/analysistemplate-argoproj-v1alpha1.json",
}
POD_TEMPLATE = f"{K8S}/podtemplate-v1.json"
# concertd finishes in-flight requests for up to this long after drain_ms (src/bootstrap).
IN_FLIGHT_MS = 10_000


def check(ok, message):
    if not ok:
        failures.append(message)
    return ok


def normalise(promql):
    return " ".join(promql.split())


def render(directory):
    r = subprocess.run(["kubectl", "kustomize", directory], capture_output=True, text=True, timeout=60)
    if not check(r.returncode == 0, f"kubectl kustomize {directory} failed:\n{r.stderr}"):
        return []
    return [d for d in yaml.safe_load_all(r.stdout) if d]


def validate(where, obj, schemas_dir, validators):
    key = (obj.get("apiVersion"), obj.get("kind"))
    name = f"{where}: {key[1]} {obj.get('metadata', {}).get('name')}"
    if not check(key in SCHEMAS, f"{name}: no vendored schema for {key} (add one, or use a kind that has one)"):
        return
    if key not in validators:
        validators[key] = jsonschema.Draft7Validator(json.load(open(os.path.join(schemas_dir, SCHEMAS[key]))))
    for e in validators[key].iter_errors(obj):
        failures.append(f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
    if key[1] == "Rollout":
        if "pod" not in validators:
            validators["pod"] = jsonschema.Draft7Validator(json.load(open(os.path.join(schemas_dir, POD_TEMPLATE))))
        pod_template = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "check"},
                        "template": obj["spec"]["template"]}
        for e in validators["pod"].iter_errors(pod_template):
            failures.append(f"{name}: pod template: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")


def by_kind(objects, kind):
    return [o for o in objects if o.get("kind") == kind]


def named(objects, kind, name):
    return [o for o in by_kind(objects, kind) if o["metadata"]["name"] == name]


def check_probe(where, container, probe, path):
    p = container.get(probe, {}).get("httpGet", {})
    check(p.get("path") == path, f"{where}: {probe} is not an HTTP GET of {path}")


def check_pod(where, objects, rollout):
    spec = rollout["spec"]["template"]["spec"]
    pod_sc = spec.get("securityContext", {})
    check(pod_sc.get("runAsNonRoot") is True, f"{where}: the pod is not runAsNonRoot")
    check(spec.get("automountServiceAccountToken") is False, f"{where}: a service account token is mounted")
    secret_names = set()
    for c in spec.get("initContainers", []) + spec["containers"]:
        cw = f"{where}: container {c['name']}"
        check_probe(cw, c, "startupProbe", "/healthz")
        check_probe(cw, c, "livenessProbe", "/healthz")
        check_probe(cw, c, "readinessProbe", "/readyz")
        res = c.get("resources", {})
        for part, key in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory")):
            check(key in res.get(part, {}), f"{cw}: no resources.{part}.{key}")
        sc = c.get("securityContext", {})
        check(sc.get("allowPrivilegeEscalation") is False, f"{cw}: allowPrivilegeEscalation is not false")
        check(sc.get("readOnlyRootFilesystem") is True, f"{cw}: readOnlyRootFilesystem is not true")
        check("ALL" in sc.get("capabilities", {}).get("drop", []), f"{cw}: capabilities do not drop ALL")
        check(sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, f"{cw}: may run as root")
        seccomp = sc.get("seccompProfile", pod_sc.get("seccompProfile", {}))
        check(seccomp.get("type") == "RuntimeDefault", f"{cw}: seccompProfile is not RuntimeDefault")
        for env in c.get("env", []):
            # A secret is a file from a Secret volume or a secretKeyRef, never a literal here.
            if "SECRET" in env["name"]:
                check(env["name"].endswith("_FILE") and env.get("value", "").startswith("/run/secrets/"),
                      f"{cw}: {env['name']} is not a file under /run/secrets/")
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                secret_names.add(ref["name"])
            check(not (env["name"] in ("CONCERTD_MYSQL_URL", "CONCERTD_REDIS_URL") and "value" in env),
                  f"{cw}: {env['name']} (credentials) is a literal, not a secretKeyRef")
    config = None
    for v in spec.get("volumes", []):
        if "secret" in v:
            secret_names.add(v["secret"]["secretName"])
        if "configMap" in v:
            cms = named(objects, "ConfigMap", v["configMap"]["name"])
            if check(cms, f"{where}: volume {v['name']} names ConfigMap {v['configMap']['name']}, not in the render"):
                if "concertd.json" in cms[0].get("data", {}):
                    config = json.loads(cms[0]["data"]["concertd.json"])
    check(by_kind(objects, "Secret") == [], f"{where}: a Secret is defined; secrets are created by the operator")
    check(secret_names, f"{where}: no Secret is referenced (JWT secret, MySQL URL)")
    if check(config is not None, f"{where}: no concertd.json ConfigMap is mounted"):
        check(config.get("listen_host") == "0.0.0.0" and config.get("listen_port") == 8080,
              f"{where}: concertd does not listen on 0.0.0.0:8080")
        check(config.get("profile") == "local", f"{where}: concertd is not on the local profile")
        grace_ms = spec.get("terminationGracePeriodSeconds", 30) * 1000
        need_ms = config.get("drain_ms", 0) + IN_FLIGHT_MS
        check(grace_ms > need_ms, f"{where}: terminationGracePeriodSeconds ({grace_ms} ms) is not above "
                                  f"drain_ms + in-flight ({need_ms} ms)")
        check(config.get("drain_ms", 0) > 0, f"{where}: drain_ms is 0: pods would close before the endpoint leaves")


def check_canary(where, objects, rollout, queries):
    canary = rollout["spec"]["strategy"].get("canary", {})
    steps = canary.get("steps", [])
    shape = ["w" if "setWeight" in s else "p" if "pause" in s else "?" for s in steps]
    check(shape == list("wpwpwpw"), f"{where}: steps are not setWeight/pause alternating, 4 weights: {steps}")
    check([s["setWeight"] for s in steps if "setWeight" in s] == [5, 20, 50, 100],
          f"{where}: weights are not 5/20/50/100")
    check(canary.get("canaryMetadata", {}).get("labels", {}).get("track") == "canary", f"{where}: canary pods not track=canary")
    check(canary.get("stableMetadata", {}).get("labels", {}).get("track") == "stable", f"{where}: stable pods not track=stable")
    for key in ("canaryService", "stableService"):
        check(named(objects, "Service", canary.get(key, "")), f"{where}: {key} {canary.get(key)} is not in the render")
    ingress = named(objects, "Ingress", canary.get("trafficRouting", {}).get("nginx", {}).get("stableIngress", ""))
    if check(ingress, f"{where}: the nginx stableIngress is not in the render"):
        backends = {p["backend"]["service"]["name"] for r in ingress[0]["spec"]["rules"] for p in r["http"]["paths"]}
        check(backends == {canary.get("stableService")}, f"{where}: the stable Ingress does not send to the stable Service")
    analysis = canary.get("analysis", {})
    # Background analysis from the first step: no startingStep, or step 0.
    check(analysis.get("startingStep", 0) == 0, f"{where}: the analysis starts after the first step")
    templates = {t["templateName"] for t in analysis.get("templates", [])}
    rendered = {t["metadata"]["name"]: t for t in by_kind(objects, "AnalysisTemplate")}
    check(templates == set(rendered), f"{where}: the Rollout runs {sorted(templates)}, the render has {sorted(rendered)}")
    measured = {}
    for tname, template in rendered.items():
        for m in template["spec"]["metrics"]:
            mw = f"{where}: AnalysisTemplate {tname} metric {m['name']}"
            measured[m["name"]] = True
            q = queries.get(m["name"])
            if not check(q is not None, f"{mw}: not in deploy/analysis/queries.yaml"):
                continue
            check(normalise(m["provider"]["prometheus"]["query"]) == normalise(q["query"]),
                  f"{mw}: the query differs from deploy/analysis/queries.yaml")
            cond = re.fullmatch(r"\s*result\[0\]\s*(<=|>=|<|>)\s*([0-9.eE+-]+)\s*", m.get("successCondition", ""))
            if check(cond is not None, f"{mw}: successCondition is not `result[0] <op> <number>`"):
                check(cond.group(1) == q["comparison"] and float(cond.group(2)) == float(q["threshold"]),
                      f"{mw}: `{m['successCondition']}` is not `result[0] {q['comparison']} {q['threshold']}`")
            check(m.get("failureLimit") == 0, f"{mw}: failureLimit is not 0 (one failed measurement must abort)")
    for name in queries:
        check(name in measured, f"{where}: query {name} of deploy/analysis/queries.yaml is not measured")


def check_scaling(where, objects, rollout, adapter_metrics):
    hpas = by_kind(objects, "HorizontalPodAutoscaler")
    if check(len(hpas) == 1, f"{where}: expected one HPA, found {len(hpas)}"):
        hpa = hpas[0]
        check(hpa["apiVersion"] == "autoscaling/v2", f"{where}: the HPA is not autoscaling/v2")
        target = hpa["spec"]["scaleTargetRef"]
        check((target.get("kind"), target.get("name")) == ("Rollout", rollout["metadata"]["name"]),
              f"{where}: the HPA does not scale the Rollout")
        metrics = hpa["spec"].get("metrics", [])
        check(any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in metrics), f"{where}: no CPU metric")
        pods = [m["pods"]["metric"]["name"] for m in metrics if m["type"] == "Pods"]
        check(pods and all(p in adapter_metrics for p in pods),
              f"{where}: the HPA's Pods metrics {pods} are not all served by the adapter rule {sorted(adapter_metrics)}")
    labels = rollout["spec"]["template"]["metadata"]["labels"]
    pdbs = by_kind(objects, "PodDisruptionBudget")
    check(any(all(labels.get(k) == v for k, v in p["spec"]["selector"]["matchLabels"].items()) for p in pdbs),
          f"{where}: no PodDisruptionBudget selects the pods")
    nps = [n for n in by_kind(objects, "NetworkPolicy")
           if all(labels.get(k) == v for k, v in n["spec"]["podSelector"].get("matchLabels", {}).items())]
    if check(nps, f"{where}: no NetworkPolicy selects the pods"):
        check(set(nps[0]["spec"].get("policyTypes", [])) == {"Ingress", "Egress"},
              f"{where}: the NetworkPolicy does not restrict both ingress and egress")
        ports = {p.get("port") for e in nps[0]["spec"].get("egress", []) for p in e.get("ports", [])}
        check({53, 3306, 6379} <= ports, f"{where}: egress lacks DNS, MySQL or Redis: {sorted(ports)}")


def check_promql(monitoring, queries, scratch):
    """promtool parses each analysis query and the adapter's query (its template filled in),
    and checks the scrape job as a Prometheus config; returns the adapter's metric names."""
    adapter = named(monitoring, "ConfigMap", "prometheus-adapter")
    metrics, exprs = set(), {f"canary:{n.replace('-', '_')}": q["query"] for n, q in queries.items()}
    if check(adapter, "monitoring: no prometheus-adapter ConfigMap"):
        for i, rule in enumerate(yaml.safe_load(adapter[0]["data"]["config.yaml"])["rules"]):
            metrics.add(rule["name"]["as"])
            series = re.match(r"\s*'?([a-zA-Z_:][a-zA-Z0-9_:]*)", rule["seriesQuery"]).group(1)
            exprs[f"adapter:rule{i}"] = (rule["metricsQuery"].replace("<<.Series>>", series)
                                         .replace("<<.LabelMatchers>>", 'namespace="n",pod=~"p"')
                                         .replace("<<.GroupBy>>", "pod"))
    rules = os.path.join(scratch, "queries.yml")
    with open(rules, "w") as f:
        yaml.safe_dump({"groups": [{"name": "check", "rules": [{"record": k, "expr": v} for k, v in exprs.items()]}]}, f)
    r = subprocess.run(["promtool", "check", "rules", rules], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"promtool rejects an analysis or adapter query:\n{r.stdout}{r.stderr}")

    scrape = named(monitoring, "ConfigMap", "prometheus-concertd-scrape")
    if check(scrape, "monitoring: no prometheus-concertd-scrape ConfigMap"):
        jobs = yaml.safe_load(scrape[0]["data"]["scrape-configs.yaml"])
        relabels = [rc for j in jobs for rc in j.get("relabel_configs", [])]
        check(any(rc.get("source_labels") == ["__meta_kubernetes_pod_label_track"] and rc.get("target_label") == "track"
                  for rc in relabels), "the scrape job does not copy the pod label track onto the series")
        check(all(sd.get("role") == "pod" for j in jobs for sd in j.get("kubernetes_sd_configs", [{}])),
              "the scrape job does not discover pods")
        # Debian's Prometheus is built without Kubernetes discovery, so its promtool
        # rejects kubernetes_sd_configs: check the job with static targets in its place.
        for j in jobs:
            j.pop("kubernetes_sd_configs", None)
            j["static_configs"] = [{"targets": ["127.0.0.1:8080"]}]
        config = os.path.join(scratch, "prometheus.yml")
        with open(config, "w") as f:
            yaml.safe_dump({"scrape_configs": jobs}, f)
        r = subprocess.run(["promtool", "check", "config", config], capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, f"promtool rejects the scrape job:\n{r.stdout}{r.stderr}")
    return metrics


def main():
    source = sys.argv[1]
    for tool, package in (("kubectl", "kubernetes-client"), ("promtool", "prometheus")):
        if not shutil.which(tool):
            print(f"FAIL: {tool} is not installed (Debian package {package}; scripts/install-deps --test)")
            return 1
    schemas_dir = os.path.join(source, "deploy/schemas")
    k8s = os.path.join(source, "deploy/k8s")
    queries = {q["name"]: q for q in yaml.safe_load(open(os.path.join(source, "deploy/analysis/queries.yaml")))["queries"]}
    for name, q in queries.items():
        check('track="canary"' in q["query"], f"queries.yaml: {name} does not select track=\"canary\"")
    validators = {}
    monitoring = render(os.path.join(k8s, "monitoring"))
    for obj in monitoring:
        validate("monitoring", obj, schemas_dir, validators)
    with tempfile.TemporaryDirectory() as scratch:
        adapter_metrics = check_promql(monitoring, queries, scratch)

    targets = ["base"] + sorted(os.path.relpath(d, k8s) for d in glob.glob(os.path.join(k8s, "overlays/*/")))
    check(len(targets) >= 3, f"expected the base and at least two overlays, found {targets}")
    for target in targets:
        objects = render(os.path.join(k8s, target))
        for obj in objects:
            validate(target, obj, schemas_dir, validators)
        rollouts = by_kind(objects, "Rollout")
        if not check(len(rollouts) == 1, f"{target}: expected one Rollout, found {len(rollouts)}"):
            continue
        check_pod(target, objects, rollouts[0])
        check_canary(target, objects, rollouts[0], queries)
        check_scaling(target, objects, rollouts[0], adapter_metrics)
        print(f"{target}: {len(objects)} objects rendered and checked")

    for f in failures:
        print("FAIL:", f)
    print(f"deploy_manifests_test: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
