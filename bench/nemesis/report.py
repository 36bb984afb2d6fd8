#!/usr/bin/env python3
"""The figures of a nemesis run (bench/concert-nemesis), per fault.

    report.py HISTORY.jsonl TIMELINE.jsonl VERDICT OUT.md [FUZZ_SUMMARY]

HISTORY: every fan request and its answer (concert-rush --history). TIMELINE:
one JSON object per fault: fault, what, startMs, backMs (when the component was
back), recoveredMs (when every instance's /readyz answered 200 again) or null.
VERDICT: the checker's words (concert-rush's exit and last lines). Prints the
table and writes it, with the run's facts, to OUT.md. Exits 1 if an answer was
a 5xx other than 503, or a 503 without a problem body."""
import json
import sys


def outcome(e):
    if e["status"] == 0 and e.get("failure") == "impatient":
        return "not read (an impatient fan)"
    if e["status"] == 0:
        return "no answer (" + e.get("failure", "?") + ")"
    return str(e["status"] // 100) + "xx" if e["status"] != 503 else "503"


def problem_body(e):
    try:
        body = json.loads(e.get("answerBody", ""))
    except ValueError:
        return False
    return isinstance(body, dict) and "code" in body and "status" in body


def main():
    history_path, timeline_path, verdict, out_path = sys.argv[1:5]
    fuzz_path = sys.argv[5] if len(sys.argv) > 5 else None
    history = [json.loads(line) for line in open(history_path) if line.strip()]
    faults = [json.loads(line) for line in open(timeline_path) if line.strip()]

    bad = [e for e in history if (e["status"] >= 500 and e["status"] != 503) or (e["status"] == 503 and not problem_body(e))]
    # A rolling restart must cut nothing: no request unanswered, none refused for want of an instance.
    cut = []
    for f in faults:
        if f["fault"] != "rolling-restart":
            continue
        cut += [e for e in history if f["startMs"] <= e["sentAtMs"] < f["backMs"] and
                ((e["status"] == 0 and e.get("failure") != "impatient") or
                 (e["status"] == 503 and "no concertd instance answered" in e.get("answerBody", "")))]
    # "Slowest 503": a request that needs the missing component must be told so
    # within 2 s (issue 13); "slowest answer" includes slow successes.
    lines = ["| fault | what | outage | requests sent during it, by outcome | slowest answer | slowest 503 | "
             "back to ready | ",
             "|---|---|---|---|---|---|---|"]
    for f in faults:
        start, back = f["startMs"], f["backMs"]
        during = [e for e in history if start <= e["sentAtMs"] < back]
        counts = {}
        for e in during:
            counts[outcome(e)] = counts.get(outcome(e), 0) + 1
        slowest = max((e["answeredAtMs"] - e["sentAtMs"] for e in during if e.get("failure") != "impatient"),
                      default=0)
        slowest_503 = max((e["answeredAtMs"] - e["sentAtMs"] for e in during if e["status"] == 503), default=None)
        told = "none" if slowest_503 is None else f"{slowest_503 / 1000:.2f} s"
        recovered = f.get("recoveredMs")
        recovery = "not within 15 s" if recovered is None else f"{(recovered - back) / 1000:.2f} s"
        by_outcome = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"
        lines.append(f"| {f['fault']} | {f['what']} | {(back - start) / 1000:.1f} s | {by_outcome} | "
                     f"{slowest / 1000:.2f} s | {told} | {recovery} |")

    total = {}
    for e in history:
        total[outcome(e)] = total.get(outcome(e), 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(total.items()))
    text = ["# Faults survived", "",
            "Written by `bench/concert-nemesis` (README: Faults). One rush of `concert-rush` through HAProxy to three",
            "`concertd --profile local` instances on one MariaDB, one Redis (`deploy/redis.conf`) and",
            "`concert-pgsim`, while the faults below struck in turn. \"Back to ready\" is from the component's",
            "return until every instance's `/readyz` answered 200.", "",
            *lines, "",
            f"All requests of the run: {summary}.", "",
            f"5xx other than 503 with a problem body: {len(bad)}.", "",
            f"Requests cut by the rolling restart (unanswered, or no instance to answer): {len(cut)}.", "",
            f"Checker: {verdict}", ""]
    if fuzz_path:
        try:
            fuzz = [line.rstrip() for line in open(fuzz_path) if line.strip()]
        except OSError:
            fuzz = []
        if fuzz:
            text += ["## Fuzzing (the last `scripts/fuzz` run)", "", "```", *fuzz, "```", ""]
    open(out_path, "w").write("\n".join(text))
    print("\n".join(lines))
    print(f"all requests: {summary}")
    for e in bad[:10]:
        print(f"BAD ANSWER #{e['seq']} {e['method']} {e['path']}: {e['status']} {e.get('answerBody', '')[:200]}")
    print(f"5xx other than 503 with a problem body: {len(bad)}")
    for e in cut[:10]:
        print(f"CUT #{e['seq']} {e['method']} {e['path']}: {e['status']} {e.get('failure', '')}")
    print(f"requests cut by the rolling restart: {len(cut)}")
    return 1 if bad or cut else 0


sys.exit(main())
