#!/usr/bin/python3
"""docs/openapi.yaml against a live embedded concertd (issue 14, item 7).

    openapi_live_test.py CONCERTD_BINARY OPENAPI_YAML

Checks the document is a well-formed OpenAPI 3.1 document, then walks a whole sale
and its error paths against a concertd of its own (admin set-up, queue, hold, read,
pay, refund, cancel, expiry, webhooks, idempotent replays, 304, abuse limit, drain),
holding every answer to the document: path and method documented, status documented,
Content-Type, headers and body as documented. Last, every documented operation must
have been exercised, so the document cannot keep dead entries. Exit 0 when all hold,
1 with every mismatch listed otherwise.
"""

import hashlib
import hmac
import json
import sys
import threading
import time
import traceback
from datetime import datetime, timedelta, timezone

from openapi_client import CheckedClient, Reply
from openapi_document import ApiDocument
from openapi_server import WEBHOOK_SECRET, Concertd

HOLD_TTL_SECONDS = 4        # short, so an expired hold is seen within the run
GATEWAY_LATENCY_MS = 600    # the sandbox's answer is slow enough to catch a request in flight
DRAIN_MS = 1500

# Fast workers, as the HTTP suites configure them; per-address limits off (every fan
# here is 127.0.0.1); the per-user limits stay at their defaults so one fan can hit them.
CONFIG = {
    "promotion_interval_ms": 20, "sweep_interval_ms": 100, "relay_interval_ms": 50,
    "admit_per_second": 1000, "max_active": 10000,
    "limit_entry_address_per_second": 0, "limit_write_address_per_second": 0,
    "hold_ttl_seconds": HOLD_TTL_SECONDS, "sandbox_latency_ms": GATEWAY_LATENCY_MS,
    "body_limit_bytes": 4096, "drain_ms": DRAIN_MS,
}

API = "/api/v1"


def rfc3339(delta):
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed(body, secret=WEBHOOK_SECRET, at=None):
    """PG-Signature as the gateway signs: t=<unix s>,v1=HMAC-SHA256(secret, "<t>.<body>")."""
    t = int(at if at is not None else time.time())
    mac = hmac.new(secret.encode(), ("%d." % t).encode() + body.encode(), hashlib.sha256).hexdigest()
    return "t=%d,v1=%s" % (t, mac)


class Walk:
    def __init__(self, server, client):
        self.server = server
        self.c = client
        self.tokens = {}

    # ---- helpers --------------------------------------------------------------------

    def auth(self, sub, **extra):
        if sub not in self.tokens:
            self.tokens[sub] = self.server.token(sub)
        return dict({"Authorization": "Bearer " + self.tokens[sub]}, **extra)

    def admin(self):
        if "admin" not in self.tokens:
            self.tokens["admin"] = self.server.token("ops", role="admin")
        return {"Authorization": "Bearer " + self.tokens["admin"]}

    def admit(self, user, schedule):
        """Enters the queue and polls until ACTIVE; the queue token."""
        entered = self.c.request("POST", "%s/schedules/%d/queue" % (API, schedule), headers=self.auth(user))
        self.c.expect(entered.status in (200, 201), "%s could not enter the queue: %d" % (user, entered.status))
        token = entered.json()["token"]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            polled = self.c.request("GET", API + "/queue/status", headers=self.auth(user, **{"Queue-Token": token}))
            if polled.status == 200 and polled.json()["status"] == "ACTIVE":
                self.c.expect(polled.json()["position"] is None and polled.json()["activeUntil"],
                              "an ACTIVE poll has no position and an activeUntil")
                return token
            time.sleep(0.02)
        self.c.fail("%s never became ACTIVE" % user)
        return token

    def hold(self, user, token, key, schedule, seats, expect=201, code=None):
        headers = self.auth(user, **{"Idempotency-Key": key, "Queue-Token": token})
        return self.c.request("POST", API + "/reservations", {"scheduleId": schedule, "seatIds": seats}, headers,
                              expect=None if expect is None else (expect, code))

    def pay(self, user, key, reservation, expect=201, code=None):
        return self.c.request("POST", API + "/payments", {"reservationId": reservation},
                              self.auth(user, **{"Idempotency-Key": key}),
                              expect=None if expect is None else (expect, code))

    def refund(self, user, key, payment, expect=200, code=None):
        return self.c.request("POST", "%s/payments/%d/refund" % (API, payment), None,
                              self.auth(user, **{"Idempotency-Key": key}),
                              expect=None if expect is None else (expect, code))

    def replayed(self, reply, first):
        self.c.expect(reply.header("Idempotent-Replayed") == "true", "a replay is marked Idempotent-Replayed")
        self.c.expect(reply.status == first.status and reply.body == first.body, "a replay is the stored answer")
        self.c.expect(first.header("Idempotent-Replayed") is None, "a first answer is not marked replayed")

    # ---- the walk ---------------------------------------------------------------------

    def operations(self):
        c = self.c
        c.request("GET", "/healthz", expect=200)
        c.request("GET", "/readyz", expect=200)
        metrics = c.request("GET", "/metrics", expect=200)
        c.expect(b"concertd_http_requests_total" in metrics.body, "/metrics has the request counters")
        echoed = c.request("GET", "/healthz", headers={"X-Request-Id": "openapi-walk-1"})
        c.expect(echoed.header("X-Request-Id") == "openapi-walk-1", "a plain X-Request-Id is echoed")
        trace = "0af7651916cd43dd8448eb211c80319c"
        traced = c.request("GET", "/healthz", headers={"traceparent": "00-%s-b7ad6b7169203331-01" % trace})
        if traced.header("traceparent") is not None:  # whether it must be there is the document's to say
            c.expect(traced.header("traceparent").split("-")[1] == trace, "the client's trace id is kept")
            fresh = [c.request("GET", "/healthz").header("traceparent") for _ in range(2)]
            c.expect(None not in fresh and fresh[0].split("-")[1] != fresh[1].split("-")[1],
                     "a request without traceparent starts a trace of its own: %s" % fresh)

    def catalogue(self):
        c = self.c
        c.request("GET", API + "/concerts", expect=200)
        c.request("GET", API + "/concerts/1", expect=200)
        c.request("GET", API + "/concerts/1/schedules", expect=200)
        c.request("GET", API + "/concerts/999", expect=(404, "not-found"))
        c.request("GET", API + "/concerts/999/schedules", expect=(404, "not-found"))
        c.request("GET", API + "/schedules/999/seats", expect=(404, "not-found"))
        c.request("GET", API + "/concerts/abc", expect=(400, "invalid-input"))
        c.request("GET", API + "/concerts/-1/schedules", expect=(400, "invalid-input"))
        full = c.request("GET", API + "/schedules/1/seats", expect=200)
        etag = full.header("ETag")
        c.request("GET", API + "/schedules/1/seats", headers={"If-None-Match": etag}, expect=304)
        c.request("GET", API + "/schedules/1/seats", headers={"If-None-Match": '"stale"'}, expect=200)

    def unknown_paths_and_methods(self, doc):
        c = self.c
        c.request("GET", API + "/nowhere", expect=(404, "not-found"), documented=False)
        for template in doc.doc["paths"]:
            path = template.replace("{id}", "1")
            documented = doc.methods_of(template)
            other = next(m for m in ("PUT", "PATCH", "DELETE", "POST", "GET") if m not in documented)
            refused = c.request(other, path, headers=self.admin(), documented=False,
                                expect=(405, "method-not-allowed"))
            allowed = sorted(m.strip() for m in (refused.header("Allow") or "").split(","))
            c.expect(allowed == documented, "%s: Allow %s, documented %s" % (template, allowed, documented))

    def sweeps(self, doc):
        """Every secured operation refuses a missing token; admin ones a fan's; every {id} a non-integer."""
        c = self.c
        for method, template in doc.operations():
            op = doc.operation(method, template)
            path = template.replace("{id}", "1")
            if op.get("security"):
                schemes = {s for req in op["security"] for s in req}
                if "pgSignature" not in schemes:
                    c.request(method, path, expect=(401, "unauthenticated"))
                    c.request(method, path, headers={"Authorization": "Bearer not-a-jwt"},
                              expect=(401, "unauthenticated"))
            if op.get("x-required-role") == "admin":
                c.request(method, path, headers=self.auth("mallory"), expect=(403, "forbidden"))
            if "{id}" in template:
                c.request(method, template.replace("{id}", "x1"), headers=self.admin(),
                          expect=(400, "invalid-input"))
        wrong = self.server.token("alice", secret="another-secret-0123456789abcdef")
        c.request("GET", API + "/reservations/1", headers={"Authorization": "Bearer " + wrong},
                  expect=(401, "unauthenticated"))

    def admin_setup(self):
        """A concert with an open, a closed and a future schedule; returns their ids."""
        c = self.c
        c.request("POST", API + "/admin/concerts", "{", self.admin(), expect=(400, "invalid-input"))
        c.request("POST", API + "/admin/concerts", {"title": 7}, self.admin(), expect=(400, "invalid-input"))
        concert = c.request("POST", API + "/admin/concerts", {"title": "OpenAPI Live"}, self.admin(), expect=201)
        cid = concert.json()["id"]
        sections = [{"name": "A", "grade": "R", "price": 10000, "rows": 2, "seatsPerRow": 10},
                    {"name": "P", "grade": "VIP", "price": 2000000, "rows": 1, "seatsPerRow": 2}]

        def schedule(opens, closes, starts, **extra):
            body = dict({"startsAt": rfc3339(starts), "salesOpenAt": rfc3339(opens), "salesCloseAt": rfc3339(closes),
                         "sections": sections}, **extra)
            made = c.request("POST", "%s/admin/concerts/%d/schedules" % (API, cid), body, self.admin(), expect=201)
            return made.json()["id"]

        day = timedelta(days=1)
        open_id = schedule(-day, day, 2 * day, queue={"admitPerSecond": 1000, "maxActive": 1000},
                           maxSeatsPerUser=4)
        closed_id = schedule(-3 * day, -2 * day, -day)
        future_id = schedule(day, 2 * day, 3 * day, queue=None)
        c.request("POST", API + "/admin/concerts/999/schedules",
                  {"startsAt": rfc3339(day), "salesOpenAt": rfc3339(-day), "salesCloseAt": rfc3339(day),
                   "sections": sections}, self.admin(), expect=(404, "not-found"))
        c.request("POST", "%s/admin/concerts/%d/schedules" % (API, cid), {"startsAt": "tomorrow"}, self.admin(),
                  expect=(400, "invalid-input"))
        patch = "%s/admin/schedules/%d/queue" % (API, open_id)
        c.request("PATCH", patch, {"admitPerSecond": 0}, self.admin(), expect=(400, "invalid-input"))
        tuned = c.request("PATCH", patch, {"admitPerSecond": 900}, self.admin(), expect=200)
        c.expect(tuned.json()["queue"]["admitPerSecond"] == 900, "PATCH queue changes admitPerSecond")
        c.request("PATCH", API + "/admin/schedules/999/queue", {"maxActive": 5}, self.admin(),
                  expect=(404, "not-found"))
        c.request("GET", "%s/concerts/%d/schedules" % (API, cid), expect=200)
        return open_id, closed_id, future_id

    def queue(self, open_id, closed_id, future_id):
        c = self.c
        first = c.request("POST", "%s/schedules/%d/queue" % (API, open_id), headers=self.auth("quinn"), expect=201)
        again = c.request("POST", "%s/schedules/%d/queue" % (API, open_id), headers=self.auth("quinn"), expect=200)
        c.expect(again.json()["token"] == first.json()["token"], "entering twice returns the same token")
        token = first.json()["token"]
        c.request("POST", API + "/schedules/999/queue", headers=self.auth("quinn"), expect=(404, "not-found"))
        c.request("POST", "%s/schedules/%d/queue" % (API, closed_id), headers=self.auth("quinn"),
                  expect=(409, "sales-closed"))
        pre = c.request("POST", "%s/schedules/%d/queue" % (API, future_id), headers=self.auth("quinn"), expect=201)
        c.expect(pre.json()["status"] == "WAITING", "a fan before salesOpenAt waits in the pre-queue")
        c.request("GET", API + "/queue/status", headers=self.auth("quinn", **{"Queue-Token": pre.json()["token"]}),
                  expect=200)
        c.request("GET", API + "/queue/status", headers=self.auth("quinn"), expect=(400, "invalid-input"))
        c.request("GET", API + "/queue/status", headers=self.auth("quinn", **{"Queue-Token": "qt_nope"}),
                  expect=(404, "not-found"))
        c.request("GET", API + "/queue/status", headers=self.auth("rita", **{"Queue-Token": token}),
                  expect=(404, "not-found"))  # another fan's token looks unknown
        c.request("DELETE", API + "/queue", headers=self.auth("quinn"), expect=(400, "invalid-input"))
        c.request("DELETE", API + "/queue", headers=self.auth("quinn", **{"Queue-Token": token}), expect=204)
        c.request("DELETE", API + "/queue", headers=self.auth("quinn", **{"Queue-Token": token}),
                  expect=(404, "not-found"))
        # Queue entry's per-user bucket (burst 5 by default): the sixth entry in a row is refused.
        statuses = [c.request("POST", "%s/schedules/%d/queue" % (API, open_id), headers=self.auth("spammer")).status
                    for _ in range(8)]
        c.expect(429 in statuses, "an eager fan is rate limited: %s" % statuses)
        print("abuse limit: 8 queue entries in a row by one fan answered %s" % statuses)

    def seat_ids(self, schedule):
        seats = self.c.request("GET", "%s/schedules/%d/seats" % (API, schedule), expect=200).json()["seats"]
        cheap = [s["id"] for s in seats if s["price"] == 10000]
        pricey = [s["id"] for s in seats if s["price"] == 2000000]
        return cheap, pricey

    def holds_and_payments(self, sid, cheap, pricey):
        c = self.c
        alice, bob = self.admit("alice", sid), self.admit("bob", sid)
        frank = self.admit("frank", sid)
        # Frank's hold is left to expire; it is paid at the end (410).
        expiring = self.hold("frank", frank, "f-hold", sid, [cheap[9]]).json()["reservationId"]
        expiring_at = time.monotonic() + HOLD_TTL_SECONDS

        headers = self.auth("alice", **{"Queue-Token": alice})
        c.request("POST", API + "/reservations", {"scheduleId": sid, "seatIds": [cheap[0]]}, headers,
                  expect=(400, "invalid-input"))  # no Idempotency-Key
        for n, bad in enumerate(["{", "[]", {"scheduleId": str(sid), "seatIds": [cheap[0]]},
                                 {"scheduleId": sid, "seatIds": "1"}, {"scheduleId": sid, "seatIds": [1.5]},
                                 {"scheduleId": sid}]):
            c.request("POST", API + "/reservations", bad, dict(headers, **{"Idempotency-Key": "bad%d" % n}),
                      expect=(400, "invalid-input"))
            if isinstance(bad, dict):  # what the server refuses for its types, the document refuses too
                c.expect(c.doc.validate(c.doc.request_schema("POST", "/api/v1/reservations"), bad),
                         "the document's HoldRequest also refuses %s" % json.dumps(bad))
        c.request("POST", API + "/reservations", {"scheduleId": sid, "seatIds": [cheap[0]]},
                  self.auth("alice", **{"Idempotency-Key": "no-token"}), expect=(403, "token-not-active"))
        self.hold("alice", alice, "a-many", sid, cheap[:5], 422, "bad-seats")
        self.hold("alice", alice, "a-dup", sid, [cheap[0], cheap[0]], 422, "bad-seats")
        self.hold("alice", alice, "a-unknown", sid, [999999], 422, "bad-seats")
        self.hold("alice", alice, "a-nosched", 999, [cheap[0]], 404, "not-found")
        held = self.hold("alice", alice, "a-hold", sid, cheap[:2])
        rid = held.json()["reservationId"]
        self.replayed(self.hold("alice", alice, "a-hold", sid, cheap[:2]), held)
        self.hold("alice", alice, "a-hold", sid, [cheap[2]], 422, "idempotency-key-reused")
        self.hold("bob", bob, "b-taken", sid, [cheap[1], cheap[2]], 409, "seat-taken")
        self.hold("alice", alice, "a-limit", sid, cheap[2:5], 409, "seat-limit-reached")
        c.request("GET", "%s/reservations/%d" % (API, rid), headers=self.auth("alice"), expect=200)
        c.request("GET", "%s/reservations/%d" % (API, rid), headers=self.auth("bob"), expect=(404, "not-found"))

        paid = self.pay("alice", "a-pay", rid)
        c.expect(paid.json()["status"] == "APPROVED" and paid.json()["reservation"]["status"] == "PAID",
                 "a paid hold is APPROVED and PAID")
        self.replayed(self.pay("alice", "a-pay", rid), paid)
        pid = paid.json()["paymentId"]
        c.request("POST", API + "/payments", {"reservationId": rid}, self.auth("alice"),
                  expect=(400, "invalid-input"))  # no Idempotency-Key
        c.request("POST", API + "/payments", "{", self.auth("alice", **{"Idempotency-Key": "a-badjson"}),
                  expect=(400, "invalid-input"))
        self.pay("alice", "a-pay", 424242, 422, "idempotency-key-reused")
        self.pay("alice", "a-pay-again", rid, 409, "invalid-state")
        self.pay("alice", "a-pay-nowhere", 424242, 404, "not-found")
        c.request("GET", "%s/payments/%d" % (API, pid), headers=self.auth("alice"), expect=200)
        c.request("GET", "%s/payments/%d" % (API, pid), headers=self.auth("bob"), expect=(404, "not-found"))
        c.request("DELETE", "%s/reservations/%d" % (API, rid), headers=self.auth("alice"),
                  expect=(409, "invalid-state"))  # PAID, not HELD

        # The sandbox declines over 1,000,000 KRW; a decline is a stored answer too.
        carol = self.admit("carol", sid)
        dear = self.hold("carol", carol, "c-hold", sid, [pricey[0]]).json()["reservationId"]
        declined = self.pay("carol", "c-pay", dear, 402, "payment-declined")
        self.replayed(self.pay("carol", "c-pay", dear, 402), declined)

        refunded = self.refund("alice", "a-refund", pid)
        c.expect(refunded.json()["status"] == "REFUNDED" and refunded.json()["reservation"]["status"] == "REFUNDED",
                 "a refund leaves REFUNDED payment and reservation")
        self.replayed(self.refund("alice", "a-refund", pid), refunded)
        self.refund("alice", "a-refund-2", pid, 409, "invalid-state")
        self.refund("alice", "a-refund-3", 424242, 404, "not-found")
        return expiring, expiring_at

    def in_flight(self, sid, cheap):
        """The gateway answers slowly: a duplicate of a payment in flight, and a second payment, are 409."""
        c = self.c
        dave = self.admit("dave", sid)
        rid = self.hold("dave", dave, "d-hold", sid, [cheap[5]]).json()["reservationId"]
        first = {}
        thread = threading.Thread(target=lambda: first.update(reply=self.pay("dave", "d-pay", rid, expect=None)))
        thread.start()
        time.sleep(GATEWAY_LATENCY_MS / 1000 / 4)
        duplicate = self.pay("dave", "d-pay", rid, expect=None)
        other = self.pay("dave", "d-pay-other-key", rid, expect=None)
        thread.join(timeout=20)
        statuses = sorted([first["reply"].status, duplicate.status])
        c.expect(statuses == [201, 409], "a duplicate in flight is 409 beside one 201: %s" % statuses)
        conflict = duplicate if duplicate.status == 409 else first["reply"]
        c.expect(conflict.json().get("code") == "idempotency-key-in-flight" and conflict.header("Retry-After"),
                 "a key in flight answers idempotency-key-in-flight with Retry-After")
        c.expect(other.status == 409 and other.json().get("code") == "payment-in-progress"
                 and other.header("Retry-After"), "a second payment of a hold at the gateway is payment-in-progress: "
                 "%d %s" % (other.status, other.body[:200]))
        winner = first["reply"] if first["reply"].status == 201 else duplicate
        return winner.json()

    def second_purchase_and_key_reuse(self, sid, cheap):
        """A refund key that refunded one payment is refused for another, which stays APPROVED."""
        erin = self.admit("erin", sid)
        rid = self.hold("erin", erin, "e-hold", sid, [cheap[6]]).json()["reservationId"]
        pid = self.pay("erin", "e-pay", rid).json()["paymentId"]
        self.refund("erin", "e-refund", pid)
        erin2 = self.admit("erin", sid)  # the payment used the first token up
        rid2 = self.hold("erin", erin2, "e-hold-2", sid, [cheap[7]]).json()["reservationId"]
        pid2 = self.pay("erin", "e-pay-2", rid2).json()["paymentId"]
        self.refund("erin", "e-refund", pid2, 422, "idempotency-key-reused")
        still = self.c.request("GET", "%s/payments/%d" % (API, pid2), headers=self.auth("erin"), expect=200)
        self.c.expect(still.json()["status"] == "APPROVED", "a refused refund key refunds nothing")
        # A cancelled hold, cancelled twice.
        erin3 = self.admit("erin", sid)
        cancel = self.hold("erin", erin3, "e-hold-3", sid, [cheap[8]]).json()["reservationId"]
        self.c.request("DELETE", "%s/reservations/%d" % (API, cancel), headers=self.auth("bob"),
                       expect=(404, "not-found"))
        gone = self.c.request("DELETE", "%s/reservations/%d" % (API, cancel), headers=self.auth("erin"), expect=200)
        self.c.expect(gone.json()["status"] == "CANCELLED", "a cancelled hold is CANCELLED")
        self.c.request("DELETE", "%s/reservations/%d" % (API, cancel), headers=self.auth("erin"),
                       expect=(409, "invalid-state"))

    def webhooks(self, payment):
        c = self.c
        report = {"paymentId": payment["paymentId"], "gatewayTxId": payment["gatewayTxId"],
                  "outcome": "APPROVED", "amount": payment["amount"]}

        def send(body, signature=None, expect=None):
            text = body if isinstance(body, str) else json.dumps(body)
            headers = {"PG-Signature": signature if signature is not None else signed(text)}
            return c.request("POST", API + "/webhooks/pg", text, headers, expect=expect)

        for _ in range(2):  # a re-sent report changes nothing
            ack = send(report, expect=200)
            c.expect(ack.json()["status"] == "APPROVED", "an acknowledged report shows the payment")
        for refused in (send(report, signed(json.dumps(report), secret="not-the-webhook-secret-0123")),
                        send(report, signed(json.dumps(report), at=time.time() - 360)),
                        send(report, "v1=deadbeef"),
                        send(report, "")):
            c.expect_answer("POST", "/webhooks/pg", refused, 401, "unauthenticated")
            c.expect(refused.header("WWW-Authenticate") == "PG-Signature", "401 names the PG-Signature scheme")
        send(dict(report, outcome="DECLINED"), expect=(409, "invalid-state"))
        send(dict(report, amount=payment["amount"] + 1), expect=(400, "invalid-input"))
        send(dict(report, paymentId=424242), expect=(404, "not-found"))
        send("{", expect=(400, "invalid-input"))
        send(dict(report, outcome="MAYBE"), expect=(400, "invalid-input"))

    def transport(self, doc, sid, cheap):
        """A body over body_limit_bytes, announced by Content-Length, to every operation that
        documents 413: refused before it is read (before auth and signature too)."""
        token = self.admit("gina", sid)
        for method, template in doc.operations():
            if "413" not in doc.operation(method, template)["responses"]:
                continue
            path = template.replace("{id}", "1")
            head = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nQueue-Token: %s\r\n"
                    "Idempotency-Key: g-huge\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (
                        method, path, self.tokens["gina"], token, CONFIG["body_limit_bytes"] + 1))
            answer = self.c.raw(head.encode())
            status, headers, body = parse_raw(answer)
            self.c.record(method, path, Reply(status, headers, body))
            self.c.expect(status == 413, "%s %s: an oversized body is 413: %r" % (method, path, answer[:200]))
        self.hold("gina", token, "g-huge", sid, [cheap[10]])  # the server stays up, the key kept nothing

    def write_limit(self, sid):
        """The per-user write bucket (burst 20 by default): a fan hammering holds is refused with 429."""
        token = self.admit("hank", sid)
        statuses = [self.hold("hank", token, "h-%d" % n, sid, [], expect=None).status for n in range(24)]
        self.c.expect(statuses[0] == 422 and statuses[-1] == 429, "writes are rate limited: %s" % statuses)
        print("abuse limit: 24 holds in a row by one fan answered %s" % statuses)

    def admin_reads(self, sid):
        c = self.c
        page = c.request("GET", "%s/admin/schedules/%d/admissions" % (API, sid), headers=self.admin(), expect=200)
        items = page.json()["items"]
        c.expect(len(items) >= 5 and [a["seq"] for a in items] == sorted(a["seq"] for a in items),
                 "the admission log lists this walk's fans in FIFO order")
        after = page.json()["next"]
        rest = c.request("GET", "%s/admin/schedules/%d/admissions?after=%d" % (API, sid, after), headers=self.admin(),
                         expect=200)
        c.expect(rest.json()["items"] == [] and rest.json()["next"] == after, "the page after the last is empty")
        c.request("GET", "%s/admin/schedules/%d/admissions?after=x" % (API, sid), headers=self.admin(),
                  expect=(400, "invalid-input"))
        c.request("GET", API + "/admin/schedules/999/admissions", headers=self.admin(), expect=(404, "not-found"))
        kpis = c.request("GET", API + "/admin/kpis", headers=self.admin(), expect=200)
        c.expect(kpis.json()["holdsTotal"] >= 5, "the KPIs count this walk's holds")

    def expired_hold(self, reservation, expires_at):
        c = self.c
        status = None
        deadline = expires_at + 3  # I6: AVAILABLE again within 2 s of expiry
        while time.monotonic() < deadline and status != "EXPIRED":
            time.sleep(0.1)
            status = c.request("GET", "%s/reservations/%d" % (API, reservation), headers=self.auth("frank"),
                               expect=200).json()["status"]
        c.expect(status == "EXPIRED", "an unpaid hold expires: %s" % status)
        gone = self.pay("frank", "f-pay", reservation, 410, "hold-expired")
        self.replayed(self.pay("frank", "f-pay", reservation, 410), gone)

    def drain(self):
        """SIGTERM: /readyz answers 503 draining at once, the process then exits 0."""
        c = self.c
        self.server.terminate()
        deadline = time.monotonic() + DRAIN_MS / 1000
        seen = None
        while time.monotonic() < deadline and seen != 503:
            seen = c.request("GET", "/readyz").status
            time.sleep(0.02)
        c.expect(seen == 503, "a draining instance is not ready")
        code = self.server.wait(timeout=30)
        c.expect(code == 0, "concertd exits 0 after its drain, got %s" % code)


def parse_raw(answer):
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def main(binary, document):
    doc = ApiDocument(document)
    problems = doc.structural_problems()
    if problems:
        print("docs/openapi.yaml is not a well-formed OpenAPI 3.1 document:")
        print("\n".join("  " + p for p in problems))
        return 1
    print("document: OpenAPI %s, %d operations, structure, $refs and schemas valid" % (
        doc.doc["openapi"], len(doc.operations())))
    started = time.monotonic()
    with Concertd(binary, CONFIG) as server:
        client = CheckedClient(doc, server.port)
        walk = Walk(server, client)
        try:
            walk.operations()
            walk.catalogue()
            walk.unknown_paths_and_methods(doc)
            walk.sweeps(doc)
            open_id, closed_id, future_id = walk.admin_setup()
            walk.queue(open_id, closed_id, future_id)
            cheap, pricey = walk.seat_ids(open_id)
            expiring, expiring_at = walk.holds_and_payments(open_id, cheap, pricey)
            dave_payment = walk.in_flight(open_id, cheap)
            walk.second_purchase_and_key_reuse(open_id, cheap)
            walk.webhooks(dave_payment)
            walk.transport(doc, open_id, cheap)
            walk.write_limit(open_id)
            walk.admin_reads(open_id)
            walk.expired_hold(expiring, expiring_at)
            walk.drain()
        except Exception:  # a crash of the walk is one more failure, reported with the rest and the server's log
            client.fail("the walk stopped:\n%s\nconcertd's log:\n%s" % (traceback.format_exc(), server.log_tail()))
        finally:
            code = server.stop()
    missing = sorted(set(doc.operations()) - set(client.exercised))
    for method, template in missing:
        client.fail("documented but never exercised (or never answered as documented): %s %s" % (method, template))
    unseen = []
    for method, template in doc.operations():
        documented = set(int(s) for s in doc.operation(method, template)["responses"])
        unseen += ["%s %s %d" % (method, template, s)
                   for s in sorted(documented - client.exercised.get((method, template), set()))]
    print("%d answers checked in %.1f s; %d of %d operations exercised; concertd exited %s" % (
        client.answers, time.monotonic() - started, len(client.exercised), len(doc.operations()), code))
    print("traceparent on %d of %d answers" % (client.traceparents, client.answers))
    print("documented statuses not produced by this walk (%d, informational): %s" % (len(unseen), ", ".join(unseen)))
    if client.errors:
        print("FAILED: %d mismatches between docs/openapi.yaml and the server:" % len(client.errors))
        print("\n".join("  " + e for e in client.errors))
        return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
