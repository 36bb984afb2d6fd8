#!/usr/bin/python3
"""The alert rules, their unit tests, the runbook and the dashboard hold together.

    observability_rules.py SOURCE_DIR

Runs `promtool check rules` and `promtool test rules` (deploy/prometheus/), then
checks what promtool cannot: every alert has a severity, a summary, a description
and a runbook_url whose anchor is a section of docs/runbook/ops.md; every alert has
a firing and a quiet case in alerts_test.yml; every runbook section belongs to an
alert, has its four parts, and names a panel the dashboard has; the dashboard takes
its datasource from a template variable and every panel query parses (promtool
again, as recording rules). Exits 1 listing every problem found.
"""
import pathlib
import re
import subprocess
import sys
import tempfile

import yaml

import observability_dashboard

RUNBOOK_BASE = "https://github.com/example-org/concertd/blob/main/docs/runbook/ops.md#"
SEVERITIES = {"critical", "warning"}
RUNBOOK_PARTS = ("**What it means.**", "**First checks.**", "**Actions.**", "**Dashboard panel:**")
problems = []


def promtool(*args, cwd):
    run = subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True)
    print(f"$ promtool {' '.join(args)}\n{run.stdout}{run.stderr}", end="")
    if run.returncode != 0:
        problems.append(f"promtool {' '.join(args)} exited {run.returncode}")


def github_anchor(heading):
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def runbook_sections(text):
    """{anchor: (heading, body)} of the level-2 sections."""
    sections = {}
    for chunk in re.split(r"^## ", text, flags=re.M)[1:]:
        heading, _, body = chunk.partition("\n")
        sections[github_anchor(heading)] = (heading.strip(), body)
    return sections


def check_alerts(alerts, sections):
    for rule in alerts:
        name = rule["alert"]
        if rule.get("labels", {}).get("severity") not in SEVERITIES:
            problems.append(f"{name}: severity label must be one of {sorted(SEVERITIES)}")
        annotations = rule.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not annotations.get(key):
                problems.append(f"{name}: no {key} annotation")
        url = annotations.get("runbook_url", "")
        anchor = url.removeprefix(RUNBOOK_BASE)
        if not url.startswith(RUNBOOK_BASE) or anchor != name.lower():
            problems.append(f"{name}: runbook_url should be {RUNBOOK_BASE}{name.lower()}, is {url!r}")
        elif anchor not in sections:
            problems.append(f"{name}: docs/runbook/ops.md has no section '## {name}' (anchor #{anchor})")


def check_tests(alert_names, unit_tests):
    firing, quiet = set(), set()
    for test in unit_tests["tests"]:
        for case in test.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    for name in alert_names:
        if name not in firing:
            problems.append(f"{name}: alerts_test.yml has no case where it fires")
        if name not in quiet:
            problems.append(f"{name}: alerts_test.yml has no case where it stays quiet")
    for name in (firing | quiet) - set(alert_names):
        problems.append(f"alerts_test.yml tests {name}, which alerts.yml does not have")


def check_runbook(alert_names, sections, panel_titles):
    wanted = {name.lower() for name in alert_names}
    for anchor, (heading, body) in sections.items():
        if not heading.startswith("Concertd"):
            continue  # the introduction
        if anchor not in wanted:
            problems.append(f"docs/runbook/ops.md section '{heading}' matches no alert")
        for part in RUNBOOK_PARTS:
            if part not in body:
                problems.append(f"docs/runbook/ops.md section '{heading}' lacks {part}")
        panel = re.search(r"\*\*Dashboard panel:\*\* \*\*(.+?)\*\*", body)
        if panel and panel.group(1) not in panel_titles:
            problems.append(f"docs/runbook/ops.md section '{heading}' names panel {panel.group(1)!r},"
                            " which the dashboard does not have")


def check_dashboard(dashboard, source_dir):
    if dashboard.get("schemaVersion", 0) < 36:
        problems.append("dashboard: schemaVersion below 36 (Grafana 9)")
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    datasource = variables.get("datasource", {})
    if datasource.get("type") != "datasource" or datasource.get("query") != "prometheus":
        problems.append("dashboard: no template variable 'datasource' of type datasource (prometheus)")
    titles = [p["title"] for p in observability_dashboard.panels(dashboard) if p["type"] != "row"]
    if len(titles) != len(set(titles)):
        problems.append("dashboard: two panels share a title (the runbook names panels by title)")
    for panel in observability_dashboard.panels(dashboard):
        if panel["type"] == "row":
            continue
        uses = [panel.get("datasource")] + [t.get("datasource") for t in panel.get("targets", [])]
        if any(not d or d.get("uid") != "${datasource}" for d in uses):
            problems.append(f"dashboard: panel {panel['title']!r} does not use the ${{datasource}} variable")
        if not panel.get("targets"):
            problems.append(f"dashboard: panel {panel['title']!r} has no query")
    # promtool parses every query as the expression of a recording rule.
    rules = []
    for i, (where, expr) in enumerate(observability_dashboard.queries(dashboard)):
        if "$" in expr:
            problems.append(f"dashboard: {where} uses an unknown variable: {expr}")
        rules.append({"record": f"dashboard:query_{i}:check", "expr": expr})
    with tempfile.NamedTemporaryFile("w", suffix=".yml", prefix="dashboard-queries-") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}, f)
        f.flush()
        promtool("check", "rules", f.name, cwd=source_dir)
    return set(titles)


def main():
    source_dir = pathlib.Path(sys.argv[1])
    rules_dir = source_dir / "deploy/prometheus"
    promtool("check", "rules", "recording.yml", "alerts.yml", cwd=rules_dir)
    promtool("test", "rules", "alerts_test.yml", cwd=rules_dir)

    alerts = [r for g in yaml.safe_load((rules_dir / "alerts.yml").read_text())["groups"] for r in g["rules"]]
    names = [r["alert"] for r in alerts]
    sections = runbook_sections((source_dir / "docs/runbook/ops.md").read_text())
    dashboard = observability_dashboard.load(source_dir)

    check_alerts(alerts, sections)
    check_tests(names, yaml.safe_load((rules_dir / "alerts_test.yml").read_text()))
    panel_titles = check_dashboard(dashboard, source_dir)
    check_runbook(names, sections, panel_titles)

    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(f"{len(names)} alerts, {len(panel_titles)} dashboard panels, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
