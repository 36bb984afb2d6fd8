#!/usr/bin/python3
"""Turns a CustomResourceDefinition into a strict JSON Schema, as kubeconform's
openapi2jsonschema does for CRDs: the served version's openAPIV3Schema, with
`additionalProperties: false` on every object that lists its properties (so a
misspelt field fails, as the API server's pruning would drop it silently) and
OpenAPI's `nullable` turned into JSON Schema's "null" type.

Usage: crd_to_jsonschema.py CRD.yaml VERSION > kind_version.json
(how the files in argo-rollouts-*/ were made; see README.md)."""
import json
import sys

import yaml


def strict(node):
    if isinstance(node, list):
        return [strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: strict(v) for k, v in node.items()}
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    if ("properties" in out and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


def main():
    crd_path, version = sys.argv[1], sys.argv[2]
    with open(crd_path) as f:
        crd = yaml.safe_load(f)
    (served,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
    schema = strict(served["schema"]["openAPIV3Schema"])
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    json.dump(schema, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
