"""Reads deploy/grafana/concertd.json for the observability tests: its panels and
every query in it, with the template variables replaced by what a test can run."""
import json
import pathlib

# Template variables a query may use, and what stands in for them in a test
# (instance is a multi-value variable matched as a regex; "All" is ".*").
VARIABLES = {"$instance": ".*"}


def load(source_dir):
    return json.loads((pathlib.Path(source_dir) / "deploy/grafana/concertd.json").read_text())


def panels(dashboard):
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])  # the panels of a collapsed row


def queries(dashboard):
    """(where, expr) of every panel target and annotation query, variables replaced."""
    found = []
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            found.append((f"panel {panel['title']!r} {target['refId']}", target["expr"]))
    for annotation in dashboard["annotations"]["list"]:
        if "expr" in annotation:
            found.append((f"annotation {annotation['name']!r}", annotation["expr"]))
    for where, expr in found:
        for variable, value in VARIABLES.items():
            expr = expr.replace(variable, value)
        yield where, expr
