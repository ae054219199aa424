"""Offline work and sync through the Python API: a portal Hub on every backend, apps' devices
over in-memory and SQLite Hubs, the protocol's messages moved as ``bytes`` the way a host
would move them over HTTP."""

from __future__ import annotations

import gc
import json
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, List, Optional
from uuid import UUID

import pytest

import needbridge as nb

from conftest import World

SECRET = "张秀英13912345678"
NOTE = "上门陪护两小时"


def device(member: UUID, app: Optional[nb.Hub] = None) -> nb.Device:
    """A member's device over a fresh in-memory app Hub (or ``app``)."""
    return nb.Device(app or nb.Hub.in_memory(), nb.Actor.member(member))


def push(portal: nb.Hub, d: nb.Device) -> Optional[nb.PushSummary]:
    """Pushes what is pending, as the host would."""
    body = d.push_request()
    if body is None:
        return None
    return d.apply_push(portal.sync_push(d.actor, body))


def pull(portal: nb.Hub, d: nb.Device, limit: int = 0) -> int:
    """Pulls until the device holds a whole, current state (following a reset)."""
    pages = 0
    while True:
        s = d.apply_pull(portal.sync_pull(d.actor, d.pull_request(limit)))
        pages += 1
        assert pages < 1000, "pull does not end"
        if not s.more and not s.reset:
            return pages


def sync_now(portal: nb.Hub, d: nb.Device) -> None:
    push(portal, d)
    pull(portal, d)


def fulfilment(note: str) -> nb.Fulfilment:
    return nb.Fulfilment(
        money_fen=0, items=[], minutes=120, people_served=1, evidence=["photo-1.jpg"], note=note
    )


def quoted(e: BaseException, *values: str) -> List[str]:
    """Which of ``values`` appear anywhere in the exception: text, repr, args, attributes."""
    texts = [str(e), repr(e), repr(e.args), repr(vars(e))]
    return [v for v in values if any(v in t for t in texts)]


def refused(world: World, call: Callable[[], Any]) -> nb.InvalidInputError:
    """Runs ``call``; expects ``InvalidInputError`` and an unchanged event log."""
    before = world.events()
    with pytest.raises(nb.InvalidInputError) as info:
        call()
    assert world.events() == before, "a refused call wrote something"
    return info.value


def test_a_first_sync_brings_the_scope_masked(world: World) -> None:
    draft = world.hub.draft_need(
        world.staff,
        committee=world.committee,
        resident=world.resident,
        title="修水管",
        description="居民需求",
        category="festival_goods",
        channel="family",
        scale="individual",
        estimated_cost_fen=0,
        wanted_by=world.later,
    ).id
    d = device(world.loner)
    me = d.actor
    assert isinstance(d.client, UUID)
    assert d.status() == nb.SyncStatus(
        client=d.client, pending=0, in_flight=False, rejected=0, ready=False
    )
    assert push(world.hub, d) is None, "nothing to push"
    # Small pages: the snapshot takes several, and is shown only when whole.
    assert pull(world.hub, d, limit=5) > 2
    assert d.status().ready
    view = d.hub
    assert view.need(me, world.need_open) == world.hub.need(me, world.need_open)
    # The child is in the member's scope, masked as the portal masks it for them.
    child = view.resident(me, world.child)
    assert child == world.hub.resident(me, world.child)
    assert child.masked
    # A draft is not the member's to know of: it is not on the device.
    with pytest.raises(nb.NotFoundError):
        world.hub.need(me, draft)
    with pytest.raises(nb.NotFoundError):
        view.need(me, draft)


def test_two_offline_claims_one_wins_the_other_keeps_its_content(world: World) -> None:
    portal = world.hub
    da, dc = device(world.loner), device(world.captain)
    sync_now(portal, da)
    sync_now(portal, dc)
    promised_by = portal.now() + timedelta(days=5)
    # Offline, both claim the same need; C also completes its claim with a note.
    ca = da.claim_need(
        da.actor,
        need=world.need_open,
        claimant=nb.Claimant.member(world.loner),
        promised_by=promised_by,
    )
    cc = dc.execute(
        "claim_need",
        need=world.need_open,
        claimant=nb.Claimant.member(world.captain),
        promised_by=promised_by,
    )
    assert isinstance(cc, nb.Claim) and cc.status is nb.ClaimStatus.ACTIVE
    done = dc.complete_claim(dc.actor, claim=cc.id, fulfilment=fulfilment(NOTE))
    assert done.status is nb.ClaimStatus.DONE
    # Each view shows its own claim at once; nothing reached the portal.
    assert dc.hub.claim(dc.actor, cc.id).status is nb.ClaimStatus.DONE
    assert (da.status().pending, dc.status().pending) == (1, 2)
    assert [m.id for m in dc.pending()] == [1, 2]
    assert dc.pending()[0].new_id == cc.id, "the claim's id was made on the device"
    with pytest.raises(nb.NotFoundError):
        portal.claim(world.staff, ca.id)

    # A pushes first and wins.
    a = push(portal, da)
    assert a is not None and (a.applied, a.rejected, a.last_applied) == (1, 0, 1)
    assert not a.unavailable
    # C pushes; the response is lost and the same body is pushed again: the portal answers
    # from the stored outcomes and writes nothing.
    body = dc.push_request()
    assert body is not None
    assert dc.push_request() is None, "one push in flight"
    assert dc.status().in_flight
    first = portal.sync_push(dc.actor, body)
    events = world.events()
    again = portal.sync_push(dc.actor, body)
    assert world.events() == events, "a retry writes nothing"
    answered, retried = json.loads(first), json.loads(again)
    assert retried["outcomes"] == answered["outcomes"]
    assert retried["last_applied"] == answered["last_applied"] == 2
    assert [o["outcome"]["outcome"] for o in answered["outcomes"]] == ["rejected", "rejected"]
    c = dc.apply_push(first)
    assert (c.applied, c.rejected, c.last_applied) == (0, 2, 2)
    assert not dc.status().in_flight

    # Exactly one live claim on the need: A's.
    assert [x.id for x in portal.claims(world.staff, need=world.need_open)] == [ca.id]
    # C's device keeps the refusals with why and with what was done.
    rejected = dc.rejected()
    assert [r.mutation.id for r in rejected] == [1, 2]
    for r in rejected:
        assert r.outcome.outcome == "rejected" and r.outcome.seq is None
        assert r.outcome.kind in ("conflict", "illegal_state", "not_found", "forbidden")
        assert r.outcome.reason
    assert rejected[0].mutation.command["command"] == "claim_need"
    assert rejected[0].mutation.command["need"] == str(world.need_open)
    assert rejected[1].mutation.command["command"] == "complete_claim"
    assert rejected[1].mutation.command["fulfilment"]["note"] == NOTE
    # The next pull drops C's claim from its view and shows A's.
    pull(portal, dc)
    with pytest.raises(nb.NotFoundError):
        dc.hub.claim(dc.actor, cc.id)
    assert dc.hub.claim(dc.actor, ca.id).id == ca.id
    assert dc.status() == nb.SyncStatus(
        client=dc.client, pending=0, in_flight=False, rejected=2, ready=True
    )
    pull(portal, da)
    assert da.status().pending == 0
    assert da.hub.claim(da.actor, ca.id) == portal.claim(da.actor, ca.id)

    # The committee's staff see the refused work too, to reuse it; a member may not.
    kept = portal.sync_rejected(world.staff, world.committee)
    assert len(kept) == 2
    assert all(isinstance(k, nb.StoredRejection) for k in kept)
    assert {k.actor for k in kept} == {dc.actor}
    assert {k.client for k in kept} == {dc.client}
    assert [k.mutation for k in kept] == [r.mutation for r in rejected]
    assert [k.outcome for k in kept] == [r.outcome for r in rejected]
    assert kept[1].mutation.command["fulfilment"]["note"] == NOTE
    assert portal.sync_rejected(nb.Actor.committee_staff(world.community), world.community) == kept
    other = nb.Actor.committee_staff(world.other_committee)
    assert portal.sync_rejected(other, world.other_committee) == []
    with pytest.raises(nb.ForbiddenError):
        portal.sync_rejected(da.actor, world.committee)
    # Dismissed on the device, still kept on the portal.
    dc.dismiss(rejected[0].mutation.id)
    assert [r.mutation.id for r in dc.rejected()] == [2]
    assert len(portal.sync_rejected(world.staff, world.committee)) == 2


def test_a_client_belongs_to_its_actor(world: World) -> None:
    portal = world.hub
    d = device(world.loner)
    sync_now(portal, d)
    d.claim_need(
        d.actor,
        need=world.need_open,
        claimant=nb.Claimant.member(world.loner),
        promised_by=portal.now() + timedelta(days=5),
    )
    body = d.push_request()
    assert body is not None
    portal.sync_push(d.actor, body)
    with pytest.raises(nb.ForbiddenError):
        portal.sync_push(nb.Actor.member(world.captain), body)
    with pytest.raises(nb.ForbiddenError):
        portal.sync_pull(nb.Actor.member(world.captain), d.pull_request())
    # A device's commands run as its own actor.
    e = refused(
        world,
        lambda: d.claim_need(
            nb.Actor.member(world.captain),
            need=world.need_collective,
            claimant=nb.Claimant.member(world.captain),
            promised_by=portal.now() + timedelta(days=5),
        ),
    )
    assert e.field == "actor"
    with pytest.raises(nb.InvalidInputError) as info:
        d.execute("no_such_command")
    assert info.value.field == "command"
    assert d.status().pending == 1


def test_malformed_messages_name_the_part_and_never_echo_it(world: World) -> None:
    portal = world.hub
    d = device(world.loner)
    me = d.actor
    sync_now(portal, d)
    d.claim_need(
        me,
        need=world.need_open,
        claimant=nb.Claimant.member(world.loner),
        promised_by=portal.now() + timedelta(days=5),
    )
    body = d.push_request()
    assert body is not None
    valid = json.loads(body)

    def edited(edit: Callable[[Any], None]) -> bytes:
        v = json.loads(body)
        edit(v)
        return json.dumps(v, ensure_ascii=False).encode()

    def set_promised_by(v: Any) -> None:
        v["mutations"][0]["command"]["promised_by"] = SECRET

    def set_command(v: Any) -> None:
        v["mutations"][0]["command"]["command"] = SECRET

    def set_client(v: Any) -> None:
        v["client"] = SECRET

    def set_protocol(v: Any) -> None:
        v["protocol"] = 2

    def set_id(v: Any) -> None:
        v["mutations"][0]["id"] = 0

    cases = [
        (SECRET.encode(), "message"),
        (b"[1, 2]", "message"),
        (edited(set_promised_by), "mutations[0].command.promised_by"),
        (edited(set_command), "mutations[0].command.command"),
        (edited(set_client), "client"),
        (edited(set_id), "mutations[0].id"),
    ]
    for bad, field in cases:
        e = refused(world, lambda: portal.sync_push(me, bad))
        assert e.field == field, (field, e.field)
        assert e.reason
        assert quoted(e, SECRET) == [], field
    # A newer protocol: not malformed, a version this portal does not speak (nothing written).
    with pytest.raises(nb.VersionNotSupportedError) as vinfo:
        portal.sync_push(me, edited(set_protocol))
    assert (vinfo.value.part, vinfo.value.version, vinfo.value.supported) == ("protocol", 2, 1)
    # Not bytes at all.
    for not_bytes in (body.decode(), valid, None):
        assert refused(world, lambda: portal.sync_push(me, not_bytes)).field == "body"  # type: ignore[arg-type]
    # A pull: its limit and cookie are checked too.
    pull_body = json.loads(d.pull_request())
    pull_body["limit"] = 10**6
    e = refused(world, lambda: portal.sync_pull(me, json.dumps(pull_body).encode()))
    assert e.field == "limit"
    pull_body["limit"] = 0
    pull_body["cookie"] = SECRET * 100
    e = refused(world, lambda: portal.sync_pull(me, json.dumps(pull_body).encode()))
    assert e.field == "cookie" and quoted(e, SECRET) == []
    # The device refuses a malformed answer the same way, and keeps its outbox.
    with pytest.raises(nb.InvalidInputError) as info:
        d.apply_push(b"{")
    assert info.value.field == "message"
    with pytest.raises(nb.VersionNotSupportedError) as vinfo:
        d.apply_pull(b'{"protocol": 9}')
    assert vinfo.value.part == "protocol"
    with pytest.raises(nb.InvalidInputError) as info:
        d.pull_request(-1)
    assert info.value.field == "limit"
    assert d.status().pending == 1
    # The valid body still goes through.
    d.push_failed()
    s = push(portal, d)
    assert s is not None and (s.applied, s.rejected) == (1, 0)


def test_the_outbox_survives_a_restart(world: World, tmp_path: Path) -> None:
    portal = world.hub
    path = tmp_path / "app.db"
    me = nb.Actor.member(world.loner)
    d = nb.Device(nb.Hub.open(path, create=True), me)
    sync_now(portal, d)
    client = d.client
    claim = d.claim_need(
        me,
        need=world.need_open,
        claimant=nb.Claimant.member(world.loner),
        promised_by=portal.now() + timedelta(days=5),
    )
    del d
    gc.collect()
    d = nb.Device(nb.Hub.open(path), me)
    assert d.client == client
    assert d.status().pending == 1
    assert d.hub.claim(me, claim.id).status is nb.ClaimStatus.ACTIVE
    # Another user may not sync this file.
    with pytest.raises(nb.ForbiddenError):
        nb.Device(nb.Hub.open(path), nb.Actor.member(world.captain))
    sync_now(portal, d)
    assert portal.claim(me, claim.id).claimant == nb.Claimant.member(world.loner)
    assert d.status().pending == 0
