#!/usr/bin/python3
"""The canary controller of the rehearsal (deploy/rehearsal/run), in the role Argo
Rollouts plays in Kubernetes (deploy/k8s/base/rollout.yaml).

  canary.py steps --socket S --prometheus URL --queries FILE --timeline FILE
                  [--steps 5,20,50,100] [--bake 15] [--extra 10] [--interval 2]
                  [--min-samples 8] [--deadline-ms MS] [--observe 3]
  canary.py report --timeline FILE --history FILE --rush-out FILE --rush-status N
                   --expect promoted|rolled-back|any [--results FILE]

steps: for each weight W, `set weight concertd/canary W` and `set weight
concertd/stable 100-W` through HAProxy's runtime API (the stats socket), read
back with `get weight` (the acknowledgement), then the analysis
(analysis.py) is measured every --interval seconds, as Argo's background
analysis measures (failureLimit 0): the first failed measurement rolls back at
once (canary 0, stable 100), then HAProxy's counters are watched for --observe
seconds to show the canary gets no new request. A step passes when, once --bake
seconds are over, one measurement has every query conclusive and passing; when
that does not happen within --extra more seconds (or before --deadline-ms, the
end of the load), the canary is inconclusive and rolled back too: a canary
nobody could judge is not promoted. After the last step passes: promoted (canary
100, stable 0). Every event goes to --timeline as a JSON line.

report: the timeline as markdown (printed, and written to --results), the
fault's first and last answers seen by the fans (the history), holds and
payments per step, and the zero-lost-commit checks of concert-rush; exits 0 when
the rehearsal did what --expect says (rolled-back: at the first step, with every
commit kept), 1 otherwise.
"""
import argparse
import datetime
import json
import os
import re
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analysis  # noqa: E402

BACKEND = "concertd"


def now_ms():
    return int(time.time() * 1000)


# --- HAProxy's runtime API -----------------------------------------------------------

def runtime(sock_path, command):
    """One command on the stats socket (non-interactive: HAProxy closes after answering)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(3)
        s.connect(sock_path)
        s.sendall((command + "\n").encode())
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks).decode(errors="replace")


def server_stats(sock_path):
    """{server: {status, weight, req_tot, stot}} of the backend, from `show stat`."""
    text = runtime(sock_path, "show stat")
    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0].lstrip("# ").split(",")
    out = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(",")))
        if row.get("pxname") == BACKEND and row.get("svname") not in ("BACKEND", "FRONTEND"):
            out[row["svname"]] = {
                "status": row.get("status"),
                "weight": int(row.get("weight") or 0),
                "req_tot": int(row.get("req_tot") or 0),
                "stot": int(row.get("stot") or 0),
            }
    return out


def requests_of(stats, server):
    s = stats.get(server, {})
    return s.get("req_tot") or s.get("stot") or 0


class Controller:
    def __init__(self, a):
        self.a = a
        self.queries = analysis.load_queries(a.queries)
        self.timeline = open(a.timeline, "a", encoding="utf-8")
        self.started = now_ms()

    def event(self, kind, say, **fields):
        at = fields.pop("atMs", None) or now_ms()
        self.timeline.write(json.dumps({"atMs": at, "event": kind, **fields}) + "\n")
        self.timeline.flush()
        print(f"[canary {clock(at)}] {say}", flush=True)

    def set_weights(self, canary, reason):
        """Both weights through the runtime API, read back: the time HAProxy acknowledged them."""
        asked = now_ms()
        # The canary first: a rollback takes its traffic away before anything else.
        order = [("canary", canary), ("stable", 100 - canary)]
        for server, w in order:
            answer = runtime(self.a.socket, f"set weight {BACKEND}/{server} {w}").strip()
            if answer:
                raise SystemExit(f"canary.py: HAProxy refused `set weight {BACKEND}/{server} {w}`: {answer}")
        for server, w in order:
            got = runtime(self.a.socket, f"get weight {BACKEND}/{server}").strip()
            if not got.split() or not got.split()[0].isdigit() or int(got.split()[0]) != w:
                raise SystemExit(f"canary.py: HAProxy reports weight {got!r} for {server}, not {w}")
        acked = now_ms()
        stats = server_stats(self.a.socket)
        self.event("weights", f"{reason}: canary {canary}, stable {100 - canary} "
                   f"(acknowledged by HAProxy in {acked - asked} ms; "
                   f"canary {stats.get('canary', {}).get('status')}, stable {stats.get('stable', {}).get('status')})",
                   atMs=acked, askedAtMs=asked, canary=canary, stable=100 - canary, reason=reason, stats=stats)
        return stats

    def measure(self, step):
        ms = analysis.measure_all(self.a.prometheus, self.queries, self.a.min_samples)
        verdict = analysis.overall(ms)
        self.event("measurement", f"step {step}%: analysis {verdict}: " + "; ".join(analysis.describe(m) for m in ms),
                   step=step, overall=verdict, measurements=ms)
        return verdict, ms

    def roll_back(self, step, why):
        self.set_weights(0, f"rollback at the {step}% step")
        quiet_from = server_stats(self.a.socket)
        t0 = now_ms()
        time.sleep(self.a.observe)
        after = server_stats(self.a.socket)
        new = requests_of(after, "canary") - requests_of(quiet_from, "canary")
        stable_new = requests_of(after, "stable") - requests_of(quiet_from, "stable")
        self.event("canary-quiet", f"after the rollback: {new} new requests to the canary, {stable_new} to stable "
                   f"in {(now_ms() - t0) / 1000:.1f} s (HAProxy show stat)",
                   canaryNewRequests=new, stableNewRequests=stable_new, seconds=(now_ms() - t0) / 1000)
        self.event("verdict", f"verdict: rolled back at the {step}% step ({why})",
                   verdict="rolled back", step=step, why=why, stats=after)
        return "rolled back"

    def run(self):
        a = self.a
        steps = [int(s) for s in a.steps.split(",")]
        self.event("rollout-start", f"rollout of the canary: steps {steps}, bake {a.bake:g} s, "
                   f"{len(self.queries)} analysis queries from {a.queries}",
                   steps=steps, bake=a.bake, queries=[q["name"] for q in self.queries])
        for step in steps:
            self.set_weights(step, f"step {step}%")
            began = time.time()
            bake_end = began + a.bake
            step_end = bake_end + a.extra
            while True:
                verdict, ms = self.measure(step)
                if verdict == "fail":
                    failed = [m for m in ms if m["status"] == "fail"]
                    self.event("analysis-failed", f"step {step}%: analysis FAILED: " +
                               "; ".join(analysis.describe(m) for m in failed),
                               step=step, failed=[m["name"] for m in failed])
                    return self.roll_back(step, "analysis failed: " + ", ".join(
                        f"{m['name']} {m['why']}" for m in failed))
                t = time.time()
                if t >= bake_end and verdict == "pass":
                    self.event("step-passed", f"step {step}%: every query passed after {t - began:.1f} s", step=step)
                    break
                if t >= step_end or (a.deadline_ms and t * 1000 + a.interval * 1000 >= a.deadline_ms):
                    self.event("analysis-inconclusive", f"step {step}%: no conclusive passing measurement after the "
                               f"bake within {t - began:.1f} s (the step's time or the load ran out)", step=step)
                    return self.roll_back(step, "analysis inconclusive: no conclusive measurement in the step's time")
                time.sleep(a.interval)
        self.event("verdict", "verdict: promoted (canary 100, stable 0)", verdict="promoted", step=steps[-1],
                   stats=server_stats(self.a.socket))
        return "promoted"


# --- the report --------------------------------------------------------------------

def clock(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]


def problem_code(body):
    try:
        return json.loads(body).get("code", "")
    except (ValueError, AttributeError):
        return ""


def read_history(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def read_haproxy_log(path):
    """(dispatched_ms, server, status, method, path) of every request in HAProxy's log
    (the log-format of haproxy.cfg.in): handed to the server at accept + idle +
    receive + queue time."""
    out = []
    if not path or not os.path.exists(path):
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 11 or parts[0] != "req":
                continue
            try:
                accept, ti, tr, tw = (int(x) for x in parts[1:5])
            except ValueError:
                continue
            out.append((accept + max(ti, 0) + max(tr, 0) + max(tw, 0), parts[7], parts[8], parts[9], parts[10]))
    return out


def report(a):
    events = [json.loads(line) for line in open(a.timeline, encoding="utf-8") if line.strip()]
    history = read_history(a.history) if os.path.exists(a.history) else []
    rush_out = open(a.rush_out, encoding="utf-8", errors="replace").read() if os.path.exists(a.rush_out) else ""
    by = {}
    for e in events:
        by.setdefault(e["event"], []).append(e)
    t0 = events[0]["atMs"] if events else 0

    def rel(ms):
        return f"+{(ms - t0) / 1000:.1f} s"

    weights = by.get("weights", [])
    verdict_ev = (by.get("verdict") or [{}])[-1]
    verdict = verdict_ev.get("verdict", "none (the controller did not finish)")
    rolled_step = verdict_ev.get("step")
    rollback = next((w for w in weights if w["reason"].startswith("rollback")), None)
    detected = (by.get("analysis-failed") or by.get("analysis-inconclusive") or [None])[0]
    quiet = (by.get("canary-quiet") or [None])[0]
    first_traffic = next((w for w in weights if w["canary"] > 0), None)
    dispatched = read_haproxy_log(a.haproxy_log)
    to_canary = [d for d in dispatched if d[1] == "canary"]
    after_rollback = [d for d in to_canary if rollback and d[0] > rollback["atMs"]]
    no_server = [d for d in dispatched if d[1] == "<NOSRV>"]

    faults = [h for h in history if h.get("status", 0) >= 500 and problem_code(h.get("answerBody", "")) == "injected-fault"]
    other_5xx = [h for h in history if h.get("status", 0) >= 500 and h not in faults]
    first_fault = min((h["answeredAtMs"] for h in faults), default=None)
    last_fault = max((h["answeredAtMs"] for h in faults), default=None)
    last_fault_sent = max((h["sentAtMs"] for h in faults), default=None)

    lines = ["# Canary rehearsal", ""]
    lines.append(f"Verdict: **{verdict}**" + (f" at the {rolled_step}% step" if verdict == "rolled back" else ""))
    lines.append("")
    started = (by.get("canary-started") or [None])[0]
    lines += ["| time (UTC) | since start | event |", "|---|---|---|"]
    rows = []
    for e in events:
        kind = e["event"]
        if kind == "measurement":
            continue  # summarised below
        if kind == "canary-started":
            rows.append((e["atMs"], f"canary concertd ready ({e.get('what', '')})"))
        elif kind == "rollout-start":
            rows.append((e["atMs"], f"rollout begins: steps {e['steps']}, bake {e['bake']} s, queries "
                                    f"{', '.join(e['queries'])}"))
        elif kind == "load-start":
            rows.append((e["atMs"], f"load through HAProxy begins ({e.get('what', '')})"))
        elif kind == "weights":
            rows.append((e["atMs"], f"weights canary {e['canary']} / stable {e['stable']} ({e['reason']}; "
                                    f"asked {clock(e['askedAtMs'])}, acknowledged by HAProxy)"))
        elif kind == "step-passed":
            rows.append((e["atMs"], f"step {e['step']}%: every analysis query passed"))
        elif kind == "analysis-failed":
            rows.append((e["atMs"], f"**failing analysis detected** at the {e['step']}% step: {', '.join(e['failed'])}"))
        elif kind == "analysis-inconclusive":
            rows.append((e["atMs"], f"analysis inconclusive at the {e['step']}% step"))
        elif kind == "canary-quiet":
            rows.append((e["atMs"], f"HAProxy stats: {e['canaryNewRequests']} new requests to the canary, "
                                    f"{e['stableNewRequests']} to stable, in {e['seconds']:.1f} s after the rollback"))
        elif kind == "verdict":
            rows.append((e["atMs"], f"verdict: **{e['verdict']}**"))
        elif kind == "controller-failed":
            rows.append((e["atMs"], "**the controller failed**; canary 0 / stable 100 asked of HAProxy"))
        elif kind == "load-end":
            rows.append((e["atMs"], f"load ended (concert-rush exit {e.get('status')})"))
    if first_fault is not None:
        rows.append((first_fault, "first `500 injected-fault` answer seen by a fan (history)"))
        rows.append((last_fault, "last `500 injected-fault` answer seen by a fan (history; "
                                 f"sent {clock(last_fault_sent)})"))
    for at, what in sorted(rows, key=lambda r: r[0]):
        lines.append(f"| {clock(at)} | {rel(at)} | {what} |")
    lines.append("")

    # The three times of the closing note.
    key = []
    if started:
        key.append(f"- canary concertd started and ready ({started.get('what', '')}): {clock(started['atMs'])}")
    if first_traffic:
        key.append(f"- canary first given traffic (weight {first_traffic['canary']}): {clock(first_traffic['atMs'])}")
    if first_fault is not None:
        key.append(f"- fault began (first injected 500 answered to a fan): {clock(first_fault)}")
    if detected:
        since = f", {(detected['atMs'] - first_fault) / 1000:.1f} s after the fault began" if first_fault else ""
        key.append(f"- failing analysis detected: {clock(detected['atMs'])}{since}")
    if rollback:
        key.append(f"- traffic back on stable (HAProxy acknowledged canary 0 / stable 100): {clock(rollback['atMs'])}"
                   + (f", {(rollback['atMs'] - detected['atMs'])} ms after the detection" if detected else ""))
    if last_fault is not None and rollback:
        key.append(f"- last injected 500 answered: {clock(last_fault)} "
                   f"({(last_fault - rollback['atMs']) / 1000:+.2f} s from the rollback; sent "
                   f"{(last_fault_sent - rollback['atMs']) / 1000:+.2f} s from it)")
    if rollback and dispatched:
        last = max((d[0] for d in to_canary), default=None)
        key.append(f"- requests HAProxy handed to the canary after the rollback was acknowledged: {len(after_rollback)}"
                   + (f" (its last request was handed over at {clock(last)}, {(last - rollback['atMs']) / 1000:+.3f} s "
                      "from the rollback)" if last else "") + " (HAProxy's request log)")
    if quiet:
        key.append(f"- HAProxy's counters in the {quiet['seconds']:.1f} s after the rollback: "
                   f"{quiet['canaryNewRequests']} more requests to the canary, {quiet['stableNewRequests']} to stable")
    if no_server:
        key.append(f"- requests HAProxy had no server for (503): {len(no_server)}")
    if key:
        lines += ["## Key times", ""] + key + [""]

    # Traffic per step (HAProxy counters) and the fans' holds and payments in it.
    if weights:
        lines += ["## Steps", "", "| weights (canary/stable) | from | seconds | requests to canary (HAProxy log) | to stable | "
                  "canary share | holds (201) | payments (201) | last analysis |", "|---|---|---|---|---|---|---|---|---|"]
        ends = [w["atMs"] for w in weights[1:]] + [(by.get("load-end") or [{"atMs": now_ms()}])[-1]["atMs"]]
        measurements = by.get("measurement", [])
        for i, w in enumerate(weights):
            start, end = w["atMs"], ends[i]
            dc = sum(1 for d in dispatched if d[1] == "canary" and start <= d[0] < end)
            ds = sum(1 for d in dispatched if d[1] == "stable" and start <= d[0] < end)
            share = f"{100 * dc / (dc + ds):.1f}%" if dc + ds else "-"
            holds = sum(1 for h in history if h.get("method") == "POST" and h.get("path") == "/api/v1/reservations"
                        and h.get("status") == 201 and start <= h["answeredAtMs"] < end)
            pays = sum(1 for h in history if h.get("method") == "POST" and h.get("path") == "/api/v1/payments"
                       and h.get("status") == 201 and start <= h["answeredAtMs"] < end)
            last = [m for m in measurements if m["step"] == w["canary"]] if not w["reason"].startswith("rollback") else []
            last_txt = "-"
            if last:
                m = last[-1]
                last_txt = f"{m['overall']}: " + ", ".join(
                    f"{x['name']} {'n/a' if x['value'] is None else format(x['value'], '.3g')}" for x in m["measurements"])
            lines.append(f"| {w['canary']}/{w['stable']} | {clock(start)} | {(end - start) / 1000:.1f} | {dc} | {ds} | "
                         f"{share} | {holds} | {pays} | {last_txt} |")
        lines.append("")

    # Zero lost commits: concert-rush's invariants and its history check.
    checks = []
    ok_commits = True
    inv_lines = [ln for ln in rush_out.splitlines() if re.match(r"^I\d", ln)]
    hist_line = next((ln for ln in rush_out.splitlines() if ln.startswith("history:")), "")
    if not inv_lines:
        checks.append("no invariant lines in concert-rush's output"); ok_commits = False
    if any("VIOLATED" in ln for ln in inv_lines):
        checks.append("an invariant was VIOLATED"); ok_commits = False
    if not re.search(r"\b0 violations\b", hist_line):
        checks.append(f"history check not clean: {hist_line or 'no history line'}"); ok_commits = False
    for bad in ("payments still PENDING", "nothing was sold", "fan errors", "invariants not checked"):
        if bad in rush_out:
            checks.append(f"concert-rush says: {bad}"); ok_commits = False
    if other_5xx:
        codes = sorted({(h["status"], problem_code(h.get("answerBody", ""))) for h in other_5xx})
        checks.append(f"{len(other_5xx)} 5xx answers other than the injected fault: {codes}"); ok_commits = False
    if a.rush_status not in (0, 1) or (a.rush_status == 1 and not faults):
        checks.append(f"concert-rush exit {a.rush_status} without injected faults to explain it"); ok_commits = False
    lines += ["## Zero lost commits", ""]
    lines.append(f"concert-rush exit {a.rush_status}" + (
        f" (it fails any run with a 5xx answer: {len(faults)} were the canary's injected faults)" if faults and a.rush_status == 1 else ""))
    lines.append("")
    lines += [f"    {ln}" for ln in inv_lines + ([hist_line] if hist_line else [])]
    lines.append("")
    lines.append(f"{len(history)} fan requests recorded; {len(faults)} answered `500 injected-fault`; "
                 f"{len(other_5xx)} other 5xx.")
    lines.append("")
    lines.append("Every acknowledged write is in the database: " + ("**yes**" if ok_commits else "**NO**: " + "; ".join(checks)))
    lines.append("")

    expected = True
    why = []
    if a.expect == "promoted" and verdict != "promoted":
        expected = False; why.append(f"expected promoted, got {verdict}")
    if a.expect == "rolled-back":
        if verdict != "rolled back":
            expected = False; why.append(f"expected rolled back, got {verdict}")
        elif not detected or detected["event"] != "analysis-failed":
            expected = False; why.append("rolled back for want of a conclusive analysis, not on a failed one")
        elif weights and rolled_step != weights[0]["canary"]:
            expected = False; why.append(f"rolled back at the {rolled_step}% step, not within the first step")
        elif not dispatched:
            expected = False; why.append("no HAProxy request log to show where traffic went")
        elif after_rollback:
            expected = False; why.append(f"HAProxy handed {len(after_rollback)} requests to the canary after the rollback")
    if a.expect == "promoted" and a.rush_status != 0:
        expected = False; why.append(f"concert-rush exit {a.rush_status} with a good canary")
    if not ok_commits:
        expected = False; why.append("commits not all accounted for")
    lines.append(f"Expected: {a.expect}. Outcome: " + ("**as expected**" if expected else "**NOT as expected**: " + "; ".join(why)))
    text = "\n".join(lines) + "\n"
    print(text)
    if a.results:
        with open(a.results, "w", encoding="utf-8") as f:
            f.write(text)
    return 0 if expected else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("steps")
    s.add_argument("--socket", required=True)
    s.add_argument("--prometheus", required=True)
    s.add_argument("--queries", default=analysis.DEFAULT_QUERIES)
    s.add_argument("--timeline", required=True)
    s.add_argument("--steps", default="5,20,50,100")
    s.add_argument("--bake", type=float, default=15)
    s.add_argument("--extra", type=float, default=10)
    s.add_argument("--interval", type=float, default=2)
    s.add_argument("--min-samples", type=float, default=8)
    s.add_argument("--deadline-ms", type=int, default=0)
    s.add_argument("--observe", type=float, default=3)
    r = sub.add_parser("report")
    r.add_argument("--timeline", required=True)
    r.add_argument("--history", required=True)
    r.add_argument("--rush-out", required=True)
    r.add_argument("--rush-status", type=int, required=True)
    r.add_argument("--expect", choices=["promoted", "rolled-back", "any"], default="any")
    r.add_argument("--haproxy-log")
    r.add_argument("--results")
    a = ap.parse_args()
    if a.cmd == "steps":
        c = Controller(a)
        try:
            c.run()
        except BaseException:
            # A controller that cannot go on leaves no traffic on the canary.
            for server, w in (("canary", 0), ("stable", 100)):
                try:
                    runtime(a.socket, f"set weight {BACKEND}/{server} {w}")
                except OSError:
                    pass
            c.event("controller-failed", "the controller failed: canary 0, stable 100 asked of HAProxy")
            raise
        return 0
    return report(a)


if __name__ == "__main__":
    sys.exit(main())
