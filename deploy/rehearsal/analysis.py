#!/usr/bin/python3
"""The canary analysis of the rehearsal: every query of deploy/analysis/queries.yaml
(the same text the Argo Rollouts AnalysisTemplates run) evaluated through
Prometheus' HTTP API (/api/v1/query) and held to its threshold.

A measurement is one of
  pass          the query returned one number on the right side of its threshold;
  fail          it returned one number on the wrong side;
  inconclusive  it returned nothing, several series, NaN or an infinity, or the
                canary served too few of the requests the query measures in its
                window to judge (fewer than --min-samples).

The shipped queries answer 0 when the canary has no traffic (`or vector(0)`): in
Kubernetes the analysis starts 30 s into a step with real traffic, but a quiet
canary would pass them. So the rehearsal also asks how many requests each query
measured: every `rate(NAME{SELECTOR}[WINDOW])` of the query becomes
`sum(increase(NAME{SELECTOR}[WINDOW]))` (NAME_bucket read as NAME_count), and the
largest of those is the query's sample count. Too few samples is inconclusive,
never a pass, and never a fail either (one 500 among three requests is no ratio).

Usage (one evaluation, e.g. against a running rehearsal):
  analysis.py --prometheus http://127.0.0.1:9090 [--queries FILE] [--min-samples N]
exits 0 when every query passes, 1 when one fails, 3 when none fails but one is
inconclusive, 2 when Prometheus cannot be asked.
"""
import argparse
import json
import math
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_QUERIES = os.path.join(os.path.dirname(HERE), "analysis", "queries.yaml")

COMPARISONS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}

RATE_TERM = re.compile(r"\brate\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?\s*\[([0-9a-z]+)\]\s*\)")


class PrometheusError(Exception):
    pass


def load_queries(path):
    """The queries file as a list of {name, query, comparison, threshold}; raises on
    anything the rehearsal could not evaluate, so a broken file is never a pass."""
    try:
        import yaml  # Debian's python3-yaml (scripts/install-deps --test)
    except ImportError as e:
        raise SystemExit(f"analysis.py: needs PyYAML (python3-yaml; run with /usr/bin/python3): {e}")
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    queries = doc.get("queries") if isinstance(doc, dict) else None
    if not isinstance(queries, list) or not queries:
        raise ValueError(f"{path}: no `queries:` list")
    out = []
    for i, q in enumerate(queries):
        missing = [k for k in ("name", "query", "comparison", "threshold") if k not in q]
        if missing:
            raise ValueError(f"{path}: query {i} lacks {', '.join(missing)}")
        if q["comparison"] not in COMPARISONS:
            raise ValueError(f"{path}: query {q['name']}: comparison {q['comparison']!r} is not one of {list(COMPARISONS)}")
        if not RATE_TERM.search(q["query"]):
            raise ValueError(f"{path}: query {q['name']}: no rate(...) term to count its samples by")
        out.append({"name": str(q["name"]), "query": " ".join(str(q["query"]).split()),
                    "comparison": q["comparison"], "threshold": float(q["threshold"]),
                    "description": str(q.get("description", ""))})
    return out


def volume_queries(query):
    """The sample-count queries of one analysis query (see the module text)."""
    out = []
    for name, selector, window in RATE_TERM.findall(query):
        if name.endswith("_bucket"):
            name = name[: -len("_bucket")] + "_count"
        expr = f"sum(increase({name}{selector or ''}[{window}]))"
        if expr not in out:
            out.append(expr)
    return out


def instant(prometheus, expr, timeout=5.0):
    """One instant query: the list of (labels, value) it returned (value a float, NaN kept)."""
    url = prometheus.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = json.load(r)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise PrometheusError(f"{expr}: {e}") from e
    if body.get("status") != "success":
        raise PrometheusError(f"{expr}: {body.get('errorType')}: {body.get('error')}")
    data = body["data"]
    if data["resultType"] == "scalar":
        return [({}, float(data["result"][1]))]
    if data["resultType"] != "vector":
        raise PrometheusError(f"{expr}: a {data['resultType']}, not an instant vector")
    return [(s["metric"], float(s["value"][1])) for s in data["result"]]


def measure(prometheus, q, min_samples):
    """One measurement of query q: a dict with name, status, value, samples, why."""
    m = {"name": q["name"], "comparison": q["comparison"], "threshold": q["threshold"], "value": None,
         "samples": None, "status": "inconclusive", "why": ""}
    try:
        result = instant(prometheus, q["query"])
        samples = 0.0
        for expr in volume_queries(q["query"]):
            got = instant(prometheus, expr)
            if got and not math.isnan(got[0][1]):
                samples = max(samples, got[0][1])
    except PrometheusError as e:
        m["why"] = f"Prometheus error: {e}"
        return m
    m["samples"] = samples
    if len(result) != 1:
        m["why"] = f"{len(result)} series returned, not one"
        return m
    value = result[0][1]
    m["value"] = value
    if math.isnan(value) or math.isinf(value):
        m["why"] = f"the query returned {value}"
        return m
    if samples < min_samples:
        m["why"] = f"{samples:.1f} requests measured in the window, fewer than {min_samples}"
        return m
    ok = COMPARISONS[q["comparison"]](value, q["threshold"])
    m["status"] = "pass" if ok else "fail"
    m["why"] = f"{value:.4g} {q['comparison'] if ok else 'is not ' + q['comparison']} {q['threshold']:g}"
    return m


def measure_all(prometheus, queries, min_samples):
    return [measure(prometheus, q, min_samples) for q in queries]


def overall(measurements):
    """fail if any failed, else inconclusive if any is, else pass."""
    statuses = {m["status"] for m in measurements}
    if "fail" in statuses:
        return "fail"
    if "inconclusive" in statuses:
        return "inconclusive"
    return "pass"


def describe(m):
    samples = "?" if m["samples"] is None else f"{m['samples']:.0f}"
    return f"{m['name']}={m['status']} ({m['why']}; n={samples})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prometheus", required=True)
    ap.add_argument("--queries", default=DEFAULT_QUERIES)
    ap.add_argument("--min-samples", type=float, default=8)
    a = ap.parse_args()
    queries = load_queries(a.queries)
    ms = measure_all(a.prometheus, queries, a.min_samples)
    for m in ms:
        print(describe(m))
    if any(m["why"].startswith("Prometheus error") for m in ms):
        return 2
    return {"pass": 0, "fail": 1, "inconclusive": 3}[overall(ms)]


if __name__ == "__main__":
    sys.exit(main())
