"""An HTTP client that holds every answer to docs/openapi.yaml as it arrives.

Each exchange is checked by ApiDocument.check_exchange; a mismatch is recorded (the
test fails at the end, listing them all) rather than raised, so one run shows every
drift at once. It also remembers which operations and statuses were exercised, for
the coverage check, and that every answer is a problem+json with the stable fields
when it is an error.
"""

import http.client
import json
import socket
import threading


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())


class CheckedClient:
    def __init__(self, doc, port):
        self.doc = doc
        self.port = port
        self.errors = []
        self.exercised = {}  # (METHOD, template) -> set of statuses seen
        self.answers = 0
        self.traceparents = 0  # answers that carried a traceparent header
        self._lock = threading.Lock()

    def fail(self, message):
        with self._lock:
            self.errors.append(message)

    def expect(self, condition, message):
        if not condition:
            self.fail(message)
        return condition

    def request(self, method, path, body=None, headers=None, expect=None, documented=True):
        """Sends one request on a fresh connection, checks the answer against the document
        (`documented=False`: a request the document deliberately leaves out, such as an
        unknown path or method; only its problem body is checked)."""
        data = body if body is None or isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        sent = dict(headers or {})
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(method, path, body=data, headers=sent)
            raw = conn.getresponse()
            reply = Reply(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
        finally:
            conn.close()
        if documented:
            self.record(method, path, reply)
        elif reply.status >= 400:
            self._check_problem(method, path, reply)
        with self._lock:
            self.answers += 1
            self.traceparents += "traceparent" in reply.headers
        if expect is not None:
            status, code = expect if isinstance(expect, tuple) else (expect, None)
            self.expect_answer(method, path, reply, status, code)
        return reply

    def expect_answer(self, method, path, reply, status, code=None):
        what = "%s %s" % (method, path)
        if not self.expect(reply.status == status, "%s: expected %d, got %d %s" % (what, status, reply.status,
                                                                                   reply.body[:300])):
            return
        if code is not None:
            got = reply.json().get("code") if reply.header("content-type") == "application/problem+json" else None
            self.expect(got == code, "%s: expected code %s, got %s" % (what, code, got))

    def record(self, method, path, reply):
        template, errors = self.doc.check_exchange(method, path, reply.status, reply.headers, reply.body)
        for e in errors:
            self.fail(e)
        if reply.status >= 400:
            self._check_problem(method, path, reply)
        if template is not None and not errors:
            with self._lock:
                self.exercised.setdefault((method, template), set()).add(reply.status)

    def _check_problem(self, method, path, reply):
        """Every error is RFC 9457 problem+json whose type and status agree with code and status."""
        where = "%s %s -> %d" % (method, path, reply.status)
        if not self.expect(reply.header("content-type") == "application/problem+json",
                           where + ": error without application/problem+json"):
            return
        problem = json.loads(reply.body)
        self.expect(problem.get("status") == reply.status, where + ": problem status differs")
        self.expect(problem.get("type") == "urn:concertd:problem:%s" % problem.get("code"),
                    where + ": problem type does not name its code")
        errors = self.doc.validate({"$ref": "#/components/schemas/Problem"}, problem)
        for e in errors:
            self.fail(where + ": " + e)

    def raw(self, data, timeout=5):
        """Bytes written as they are, the answer read until the server closes (transport answers)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            chunks = []
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except socket.timeout:
                pass
        return b"".join(chunks)
