"""A portal that serves offline apps: needbridge's Python package behind a small HTTP server.

    python examples/sync/portal.py WORKDIR

It opens (or creates and seeds) ``WORKDIR/portal.db`` — a residents' committee with its staff,
two members, a left-behind child and her need for a schoolbag — and serves on 127.0.0.1, on a
free port:

- ``POST /sync/push`` and ``POST /sync/pull``: the body is the app's message, the answer the
  portal's (``hub.sync_push`` / ``hub.sync_pull``: bytes in, bytes out);
- ``GET /staff/rejected``: what the committee's staff see of refused offline work.

The host's job is only transport and authentication: here a bearer token names the user
(a real portal checks a password, a certificate or a single sign-on). needbridge decides
everything else — what each mutation does, who wins a contested claim, what a member may see.

It writes ``WORKDIR/portal.json`` and ``WORKDIR/portal.properties`` (the port, the users'
tokens and the ids) for the app (``examples/sync/App.kt``) and serves until it is killed.
"""

from __future__ import annotations

import json
import secrets
import sys
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict

import needbridge as nb


def seed(hub: nb.Hub) -> Dict[str, str]:
    """A committee, its staff, two members and a published need; returns their ids."""
    system = nb.Actor.system()
    later = datetime.now(timezone.utc) + timedelta(days=30)
    district = hub.create_unit(system, kind="district", name="钟山区").id
    admin = nb.Actor.district_admin(district)
    street = hub.create_unit(admin, kind="community", name="荷城街道", parent=district).id
    committee = hub.create_unit(admin, kind="committee", name="凤凰社区居委会", parent=street).id
    staff = nb.Actor.committee_staff(committee)
    work_unit = hub.register_work_unit(admin, name="区财政局", party_organisation="区财政局机关党支部").id
    secretary = nb.Actor.work_unit_secretary(work_unit)
    members = []
    for i, name in enumerate(["王芳", "赵强"], start=1):
        m = hub.issue_certificate(
            secretary, work_unit=work_unit, name=name, number=f"BD-2026-{i:03d}", deadline=later
        ).id
        hub.report_member(nb.Actor.member(m), member=m, committee=committee, commitment="每月至少服务一次", skills=[])
        hub.accept_report(staff, member=m)
        members.append(m)
    child = hub.register_resident(
        staff, committee=committee, name="刘小明", phone="13912345678", groups=["left_behind_child"]
    ).id
    need = hub.draft_need(
        staff,
        committee=committee,
        resident=child,
        title="新学期的书包",
        description="留守儿童，开学前需要一个书包和文具",
        category="festival_goods",
        channel="family",
        scale="individual",
        estimated_cost_fen=nb.fen("120"),
        wanted_by=later,
    ).id
    hub.publish_need(staff, need=need)
    return {
        "committee": str(committee),
        "member_a": str(members[0]),
        "member_b": str(members[1]),
        "need": str(need),
    }


def main(argv: list[str]) -> int:
    work = Path(argv[1] if len(argv) > 1 else "sync-example")
    work.mkdir(parents=True, exist_ok=True)
    fresh = not (work / "portal.db").exists()
    hub = nb.Hub.open(work / "portal.db", create=fresh)
    ids = seed(hub) if fresh else json.loads((work / "portal.json").read_text())["ids"]
    # Who each bearer token is (the host's authentication, not needbridge's).
    users: Dict[str, nb.Actor] = {
        secrets.token_hex(16): nb.Actor.member(ids["member_a"]),
        secrets.token_hex(16): nb.Actor.member(ids["member_b"]),
        secrets.token_hex(16): nb.Actor.committee_staff(ids["committee"]),
    }

    class Handler(BaseHTTPRequestHandler):
        def actor(self) -> nb.Actor | None:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            return users.get(token)

        def answer(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def refuse(self, status: int, e: nb.NeedbridgeError) -> None:
            # needbridge's errors never hold personal data or the request's values.
            self.answer(status, json.dumps({"error": type(e).__name__, "detail": str(e)}).encode())

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            actor = self.actor()
            if actor is None:
                self.answer(401, b'{"error": "unauthenticated"}')
                return
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            serve = {"/sync/push": hub.sync_push, "/sync/pull": hub.sync_pull}.get(self.path)
            if serve is None:
                self.answer(404, b'{"error": "no such path"}')
                return
            try:
                self.answer(200, serve(actor, body))
            except nb.InvalidInputError as e:
                self.refuse(400, e)
            except nb.ForbiddenError as e:
                self.refuse(403, e)
            except nb.NeedbridgeError as e:
                self.refuse(503, e)

        def do_GET(self) -> None:  # noqa: N802
            actor = self.actor()
            if actor is None or self.path != "/staff/rejected":
                self.answer(404, b'{"error": "no such path"}')
                return
            try:
                refused = hub.sync_rejected(actor, ids["committee"])
            except nb.ForbiddenError as e:
                self.refuse(403, e)
                return
            rows = [
                {
                    "member": str(r.actor.id),
                    "mutation": r.mutation.id,
                    "command": r.mutation.command.get("command"),
                    "reason": r.outcome.reason,
                    "content": r.mutation.command,
                }
                for r in refused
            ]
            self.answer(200, json.dumps(rows, ensure_ascii=False).encode())

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # quiet: the example prints what matters

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    tokens = {"member_a": "", "member_b": "", "staff": ""}
    for (token, _), who in zip(users.items(), tokens):
        tokens[who] = token
    (work / "portal.json").write_text(json.dumps({"port": port, "tokens": tokens, "ids": ids}))
    # The same for the Kotlin app (java.util.Properties).
    props = {
        "port": port,
        "need": ids["need"],
        "member_a": ids["member_a"],
        "member_b": ids["member_b"],
        "token_a": tokens["member_a"],
        "token_b": tokens["member_b"],
        "token_staff": tokens["staff"],
    }
    (work / "portal.properties").write_text("".join(f"{k}={v}\n" for k, v in props.items()))
    print(f"portal: serving on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
