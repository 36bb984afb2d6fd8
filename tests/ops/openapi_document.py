"""docs/openapi.yaml as something a test can hold a live answer to.

Loads the document, checks it is a well-formed OpenAPI 3.1 document (the fields the
specification requires, every $ref resolving, every schema valid JSON Schema 2020-12,
every operation with responses), and checks one HTTP exchange against it: the
operation is documented, the status is documented for it, and the Content-Type,
headers and body are the documented ones. Only the standard library, PyYAML and
jsonschema (Debian's python3-yaml and python3-jsonschema).
"""

import json
import re

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Components whose entries are Reference-or-Object (OAS 3.1 §4.8.7).
COMPONENT_KINDS = ("schemas", "responses", "parameters", "examples", "requestBodies", "headers",
                   "securitySchemes", "links", "callbacks", "pathItems")


def _media_base(content_type):
    return content_type.split(";", 1)[0].strip().lower()


def _normalised(content_type):
    return ";".join(part.strip().lower() for part in content_type.split(";"))


class ApiDocument:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        # One resolver over the whole document: "#/components/schemas/X" is resolved
        # against it wherever a schema sits.
        self._resolver = jsonschema.RefResolver(base_uri="", referrer=self.doc)

    # ---- navigation ---------------------------------------------------------------

    def resolve(self, ref):
        """The object a local '#/a/b' reference points at, or KeyError."""
        if not ref.startswith("#/"):
            raise KeyError("only local references are used here: " + ref)
        node = self.doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise KeyError(ref)
            node = node[part]
        return node

    def deref(self, obj):
        """A Reference Object replaced by its target; its own summary/description win (OAS 3.1)."""
        seen = set()
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            if ref in seen:
                raise KeyError("reference cycle at " + ref)
            seen.add(ref)
            target = dict(self.resolve(ref))
            for key in ("summary", "description"):
                if key in obj:
                    target[key] = obj[key]
            obj = target
        return obj

    def operations(self):
        """Every (METHOD, path template) the document promises."""
        out = []
        for template, item in self.doc.get("paths", {}).items():
            for method in METHODS:
                if method in item:
                    out.append((method.upper(), template))
        return out

    def operation(self, method, template):
        return self.doc["paths"][template][method.lower()]

    def parameters(self, method, template):
        """Path-level then operation-level parameters, dereferenced (operation wins by name+in)."""
        merged = {}
        for p in self.doc["paths"][template].get("parameters", []) + self.operation(method, template).get(
                "parameters", []):
            p = self.deref(p)
            merged[(p["name"].lower(), p["in"])] = p
        return list(merged.values())

    def match_path(self, path):
        """The template a concrete path falls under (literal segments win), or None."""
        segments = path.split("?", 1)[0].split("/")
        best = None
        for template in self.doc.get("paths", {}):
            parts = template.split("/")
            if len(parts) != len(segments):
                continue
            literal = 0
            for t, s in zip(parts, segments):
                if t.startswith("{") and t.endswith("}"):
                    if not s:
                        break
                elif t != s:
                    break
                else:
                    literal += 1
            else:
                if best is None or literal > best[0]:
                    best = (literal, template)
        return best[1] if best else None

    def methods_of(self, template):
        return sorted(m.upper() for m in METHODS if m in self.doc["paths"][template])

    # ---- validation of the document itself ---------------------------------------

    def structural_problems(self):
        """What makes this not a usable OpenAPI 3.1 document; empty when it is."""
        problems = []
        d = self.doc
        if not isinstance(d, dict):
            return ["the document is not a mapping"]
        if not re.fullmatch(r"3\.1\.\d+", str(d.get("openapi", ""))):
            problems.append("openapi must be 3.1.x, is %r" % d.get("openapi"))
        info = d.get("info") or {}
        for field in ("title", "version"):
            if not isinstance(info.get(field), str):
                problems.append("info.%s is required and a string" % field)
        if not any(k in d for k in ("paths", "components", "webhooks")):
            problems.append("one of paths, components, webhooks is required")
        for kind in d.get("components", {}):
            if kind not in COMPONENT_KINDS and not kind.startswith("x-"):
                problems.append("unknown components field " + kind)
        problems += self._reference_problems(d, "#")
        problems += self._schema_problems()
        schemes = d.get("components", {}).get("securitySchemes", {})
        for requirement in d.get("security", []):
            problems += ["security names unknown scheme " + s for s in requirement if s not in schemes]
        for method, template in self.operations():
            where = "%s %s" % (method, template)
            op = self.operation(method, template)
            responses = op.get("responses")
            if not responses:
                problems.append(where + ": no responses")
                continue
            for status, response in responses.items():
                if not re.fullmatch(r"[1-5]([0-9]{2}|XX)|default", str(status)):
                    problems.append("%s: response key %r is not a status" % (where, status))
                response = self.deref(response)
                if "description" not in response:
                    problems.append("%s %s: a response needs a description" % (where, status))
                for media, body in response.get("content", {}).items():
                    if "schema" not in body:
                        problems.append("%s %s %s: no schema" % (where, status, media))
            for requirement in op.get("security", []):
                problems += ["%s: unknown security scheme %s" % (where, s) for s in requirement if s not in schemes]
            declared = set()
            for p in self.parameters(method, template):
                if "name" not in p or p.get("in") not in ("query", "header", "path", "cookie"):
                    problems.append(where + ": a parameter needs name and in")
                if ("schema" in p) == ("content" in p):
                    problems.append("%s: parameter %s needs exactly one of schema, content" % (where, p.get("name")))
                if p.get("in") == "path":
                    if p.get("required") is not True:
                        problems.append("%s: path parameter %s must be required" % (where, p["name"]))
                    declared.add(p["name"])
            used = set(re.findall(r"{([^}]+)}", template))
            if used != declared:
                problems.append("%s: path parameters %s declared as %s" % (where, sorted(used), sorted(declared)))
            if "requestBody" in op and "content" not in self.deref(op["requestBody"]):
                problems.append(where + ": requestBody needs content")
        ids = [self.operation(m, t).get("operationId") for m, t in self.operations()]
        if len(ids) != len(set(ids)) or None in ids:
            problems.append("every operation needs a unique operationId")
        return problems

    def _reference_problems(self, node, where):
        problems = []
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                try:
                    self.resolve(ref)
                except KeyError:
                    problems.append("%s: $ref %s does not resolve" % (where, ref))
            for key, value in node.items():
                problems += self._reference_problems(value, where + "/" + str(key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                problems += self._reference_problems(value, "%s/%d" % (where, i))
        return problems

    def _all_schemas(self):
        """(where, schema) for every schema: components, parameters, headers, bodies."""
        found = [("#/components/schemas/" + n, s) for n, s in self.doc.get("components", {}).get("schemas", {}).items()]

        def walk(node, where):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "schema" and isinstance(value, (dict, bool)):
                        found.append((where + "/schema", value))
                    elif key != "schemas":
                        walk(value, where + "/" + str(key))
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    walk(value, "%s/%d" % (where, i))

        walk(self.doc.get("paths", {}), "#/paths")
        walk({k: v for k, v in self.doc.get("components", {}).items() if k != "schemas"}, "#/components")
        return found

    def _schema_problems(self):
        problems = []
        for where, schema in self._all_schemas():
            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.exceptions.SchemaError as e:
                problems.append("%s: not JSON Schema 2020-12: %s" % (where, e.message))
        return problems

    # ---- validation of live traffic ----------------------------------------------

    def validate(self, schema, value):
        """Messages of every way `value` breaks `schema` (refs resolved in this document)."""
        validator = jsonschema.Draft202012Validator(schema, resolver=self._resolver)
        return ["%s at /%s" % (e.message, "/".join(str(p) for p in e.absolute_path))
                for e in validator.iter_errors(value)]

    def request_schema(self, method, template):
        op = self.operation(method, template)
        if "requestBody" not in op:
            return None
        return self.deref(op["requestBody"])["content"]["application/json"]["schema"]

    def check_exchange(self, method, path, status, headers, body):
        """(template or None, errors) for one answer. `headers`: lower-case name -> value."""
        template = self.match_path(path)
        if template is None:
            return None, ["%s %s: path not documented" % (method, path)]
        if method.lower() not in self.doc["paths"][template]:
            return template, ["%s %s: method not documented" % (method, template)]
        where = "%s %s -> %d" % (method, template, status)
        responses = self.operation(method, template)["responses"]
        response = responses.get(str(status))
        if response is None:
            return template, ["%s: status not documented (documented: %s)" % (where, ", ".join(sorted(responses)))]
        response = self.deref(response)
        errors = []
        for name, header in response.get("headers", {}).items():
            header = self.deref(header)
            value = headers.get(name.lower())
            if value is None:
                if header.get("required"):
                    errors.append("%s: required header %s missing" % (where, name))
                continue
            errors += ["%s: header %s=%r: %s" % (where, name, value, m) for m in self.validate(header["schema"], value)]
        content = response.get("content")
        content_type = headers.get("content-type")
        if not content:
            if body:
                errors.append("%s: documented without a body, got %d bytes" % (where, len(body)))
            return template, errors
        if content_type is None:
            return template, errors + ["%s: no Content-Type" % where]
        media = None
        for key in content:
            if _normalised(key) == _normalised(content_type):
                media = key
        if media is None:
            for key in content:
                if ";" not in key and _media_base(key) == _media_base(content_type):
                    media = key
        if media is None:
            return template, errors + ["%s: Content-Type %s not documented (%s)" % (where, content_type,
                                                                                    ", ".join(content))]
        if _media_base(media).endswith("json"):
            try:
                value = json.loads(body)
            except ValueError as e:
                return template, errors + ["%s: body is not JSON: %s" % (where, e)]
        else:
            value = body.decode("utf-8", "replace")
        errors += ["%s: body: %s" % (where, m) for m in self.validate(content[media]["schema"], value)]
        return template, errors
