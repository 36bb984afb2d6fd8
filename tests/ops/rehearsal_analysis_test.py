#!/usr/bin/python3
"""The rehearsal's analysis evaluator (deploy/rehearsal/analysis.py) on its own, in
a second: it reads every query of deploy/analysis/queries.yaml, counts each
query's samples from its rate() terms, and turns what a Prometheus answers into
pass / fail / inconclusive, against a fake Prometheus on a loopback port that
answers canned results. No data, NaN, several series, too few samples and an
error answer are inconclusive, never a pass.

Usage: rehearsal_analysis_test.py SOURCE_DIR
"""
import http.server
import json
import os
import sys
import threading
import urllib.parse

source_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(source_dir, "deploy", "rehearsal"))
import analysis  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


# --- the shipped queries -----------------------------------------------------------
queries = analysis.load_queries(os.path.join(source_dir, "deploy", "analysis", "queries.yaml"))
check(len(queries) >= 4, f"{len(queries)} queries read from deploy/analysis/queries.yaml")
for q in queries:
    check('track="canary"' in q["query"], f"{q['name']}: selects track=\"canary\"")
    vols = analysis.volume_queries(q["query"])
    check(len(vols) >= 1 and all(v.startswith("sum(increase(") for v in vols),
          f"{q['name']}: sample count from {vols}")
    check(not any("_bucket" in v for v in vols), f"{q['name']}: histograms counted by _count, not _bucket")
    check(all('track="canary"' in v for v in vols), f"{q['name']}: sample count on the canary only")

# --- a fake Prometheus -------------------------------------------------------------
answers = {}  # query text -> (http status, body)


class Fake(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("query", [""])[0]
        status, body = answers.get(q, (200, {"status": "success", "data": {"resultType": "vector", "result": []}}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fake)
threading.Thread(target=server.serve_forever, daemon=True).start()
prom = f"http://127.0.0.1:{server.server_address[1]}"


def vector(*values):
    return (200, {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"i": str(i)}, "value": [1700000000.0, v]} for i, v in enumerate(values)]}})


q = {"name": "ratio", "comparison": "<", "threshold": 0.01,
     "query": 'sum(rate(x_total{track="canary",code="5xx"}[30s])) / sum(rate(x_total{track="canary"}[30s]))'}
vol_5xx, vol_all = analysis.volume_queries(q["query"])


def case(value_answer, samples, expect, what):
    answers.clear()
    if value_answer is not None:
        answers[q["query"]] = value_answer
    answers[vol_5xx] = vector("1")
    if samples is not None:
        answers[vol_all] = vector(str(samples))
    m = analysis.measure(prom, q, min_samples=8)
    check(m["status"] == expect, f"{what}: {m['status']} ({m['why']})")


case(vector("0.001"), 50, "pass", "a low ratio with traffic")
case(vector("0.3"), 50, "fail", "a high ratio with traffic")
case(vector("0.3"), 3, "inconclusive", "a high ratio on 3 requests")
case(vector("0"), 0, "inconclusive", "`or vector(0)` with no traffic")
case(vector("0"), None, "inconclusive", "no sample count at all")
case(None, 50, "inconclusive", "an empty result")
case(vector("NaN"), 50, "inconclusive", "NaN")
case(vector("+Inf"), 50, "inconclusive", "an infinity")
case(vector("0.001", "0.002"), 50, "inconclusive", "two series")
case((400, {"status": "error", "errorType": "bad_data", "error": "parse error"}), 50, "inconclusive",
     "a query Prometheus refuses")
check(analysis.overall([{"status": "pass"}, {"status": "inconclusive"}]) == "inconclusive", "pass + inconclusive")
check(analysis.overall([{"status": "fail"}, {"status": "inconclusive"}]) == "fail", "fail + inconclusive")
check(analysis.overall([{"status": "pass"}, {"status": "pass"}]) == "pass", "pass + pass")
server.shutdown()

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
