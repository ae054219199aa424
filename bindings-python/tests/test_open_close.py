"""Opening and closing a Hub: a missing file is refused unless ``create``; ``read_only``
refuses every write before it reaches the core; ``close()`` and ``with`` release the
database; SQLite's durability and the core's policies (``HubConfig``) are reachable."""

from __future__ import annotations

import gc
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

import needbridge as nb

from conftest import SYS, World, _fresh_schema, _pg_url, build


def opener(backend: str, tmp_path: Path) -> Callable[..., nb.Hub]:
    """Opens (and, the first time, creates) the backend's database with keyword options."""
    if backend == "memory":
        return lambda **kw: nb.Hub.in_memory(**kw)
    if backend == "sqlite":
        path = tmp_path / "needbridge.db"
        return lambda **kw: nb.Hub.open(path, create=not path.exists(), **kw)
    url = _pg_url()
    if url is None:
        pytest.skip("PostgreSQL not configured (NEEDBRIDGE_PG_URL)")
    schema = _fresh_schema(url)
    return lambda **kw: nb.Hub.connect_postgres(schema, **kw)


def refused(call: Callable[[], Any], state: str, action: Optional[str] = None) -> nb.IllegalStateError:
    with pytest.raises(nb.IllegalStateError) as e:
        call()
    assert (e.value.entity, e.value.state) == ("hub", state)
    if action is not None:
        assert e.value.action == action
    return e.value


# ------------------------------------------------------------------------------ create


def test_a_missing_file_is_refused_naming_path_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "distirct.db"  # a typo
    for call in (
        lambda: nb.Hub.open(path),
        lambda: nb.Hub.open(path, key="secret"),
        lambda: nb.Hub.open(path, read_only=True),
    ):
        with pytest.raises(nb.InvalidInputError) as e:
            call()
        assert e.value.field == "path"
        assert "create=True" in str(e.value)
        assert str(path) not in str(e.value) and "distirct" not in str(e.value)
    assert list(tmp_path.iterdir()) == []


def test_create_makes_the_file_and_then_opens_it_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "district.db"
    with nb.Hub.open(path, create=True) as hub:
        hub.create_unit(SYS, kind="district", name="钟山区")
    assert path.is_file()
    with nb.Hub.open(path) as hub:
        assert [u.name for u in hub.units(SYS)] == ["钟山区"]
    with nb.Hub.open(path, create=True) as hub:  # an existing file is opened, not replaced
        assert len(hub.units(SYS)) == 1


def test_read_only_cannot_create(tmp_path: Path) -> None:
    with pytest.raises(nb.InvalidInputError) as e:
        nb.Hub.open(tmp_path / "x.db", create=True, read_only=True)
    assert e.value.field == "create"
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ read-only


def test_read_only_refuses_every_write_and_answers_reads(backend: str, tmp_path: Path) -> None:
    open_ = opener(backend, tmp_path)
    if backend == "memory":
        pytest.skip("a fresh in-memory store has nothing to read")
    writer = open_()
    w = build(writer)
    hub = open_(read_only=True)
    assert hub.read_only and not writer.read_only
    assert "read_only" in repr(hub)
    before = w.events()
    refused(lambda: hub.create_unit(SYS, kind="district", name="x"), "read_only", "create_unit")
    e = refused(lambda: hub.publish_need(w.staff, need=w.need_open), "read_only", "publish_need")
    assert str(e) == "illegal state: hub is read_only; cannot publish_need"
    refused(hub.tick, "read_only", "tick")
    refused(lambda: hub.sync_push(SYS, b"{}"), "read_only", "sync_push")
    refused(lambda: nb.Device(hub, nb.Actor.member(w.member)), "read_only")
    # Reads are as on any Hub, with the same masking.
    assert hub.need(w.staff, w.need_open) == writer.need(w.staff, w.need_open)
    assert hub.report(w.admin, unit=w.district).data == writer.report(w.admin, unit=w.district).data
    assert len(hub.units(SYS)) == len(writer.units(SYS))
    assert w.events() == before
    hub.close()
    writer.close()


def test_a_read_only_hub_still_refuses_bad_arguments_by_name(tmp_path: Path) -> None:
    build(nb.Hub.open(tmp_path / "x.db", create=True)).hub.close()
    hub = nb.Hub.open(tmp_path / "x.db", read_only=True)
    with pytest.raises(nb.InvalidInputError) as e:
        hub.unit(SYS, "not a uuid")  # type: ignore[arg-type]
    assert e.value.field == "id"


# ------------------------------------------------------------------------------ close


def test_close_refuses_later_calls_and_twice_is_fine(world: World) -> None:
    hub = world.hub
    assert not hub.closed
    hub.close()
    assert hub.closed and "closed" in repr(hub)
    hub.close()
    refused(lambda: hub.units(SYS), "closed", "units")
    refused(lambda: hub.create_unit(SYS, kind="district", name="x"), "closed", "create_unit")
    refused(lambda: hub.report(world.admin, unit=world.district), "closed", "report")
    refused(lambda: hub.frame("needs", SYS, unit=world.district), "closed")
    refused(hub.tick, "closed", "tick")
    refused(hub.now, "closed")
    refused(lambda: hub.config, "closed")
    refused(lambda: nb.Device(hub, nb.Actor.member(world.member)), "closed")
    assert hub.backend in ("memory", "sqlite", "postgres")


def test_with_closes_even_on_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with nb.Hub.open(tmp_path / "x.db", create=True) as hub:
            hub.create_unit(SYS, kind="district", name="钟山区")
            raise RuntimeError("the caller's own error")
    assert hub.closed


def test_closing_releases_the_sqlite_file(tmp_path: Path) -> None:
    """Encrypting in place needs no Hub open on the file: after ``close()`` (and while the
    Python object lives on) it goes through."""
    path = tmp_path / "x.db"
    hub = nb.Hub.open(path, create=True)
    hub.create_unit(SYS, kind="district", name="钟山区")
    with pytest.raises(nb.IllegalStateError):
        nb.Hub.encrypt(path, "secret")
    hub.close()
    nb.Hub.encrypt(path, "secret")
    with nb.Hub.open(path, key="secret") as again:
        assert len(again.units(SYS)) == 1
    assert hub.closed  # the old object is still there, closed


def test_a_device_keeps_its_store_until_it_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    app = nb.Hub.open(path, create=True)
    district = app.create_unit(SYS, kind="district", name="钟山区").id
    device = nb.Device(app, nb.Actor.district_admin(district))
    app.close()
    assert device.status().pending == 0  # the device's own handle on the store lives on
    with pytest.raises(nb.IllegalStateError):
        nb.Hub.encrypt(path, "secret")
    del device
    gc.collect()
    nb.Hub.encrypt(path, "secret")


# ------------------------------------------------------------------------------ options


def test_config_defaults_are_the_cores(backend: str, tmp_path: Path) -> None:
    hub = opener(backend, tmp_path)()
    assert hub.config == nb.HubConfig()
    assert nb.HubConfig().warn_before == timedelta(days=3)


def test_config_is_applied_on_every_backend(backend: str, tmp_path: Path) -> None:
    config = nb.HubConfig(
        max_open_claims_per_member=1,
        warn_before=timedelta(hours=12),
        max_extensions=0,
        max_retries=5,
        max_page=20,
    )
    hub = opener(backend, tmp_path)(config=config)
    assert hub.config == config
    w = build(hub)
    me = nb.Actor.member(w.loner)
    until = hub.now() + timedelta(days=5)
    claim = hub.claim_need(me, need=w.need_open, claimant=nb.Claimant.member(w.loner), promised_by=until)
    other = hub.draft_need(
        w.staff, committee=w.committee, resident=w.resident, title="另一个需求", description="d",
        category="festival_goods", channel="family", scale="individual", estimated_cost_fen=0,
        wanted_by=w.later,
    ).id
    hub.publish_need(w.staff, need=other)
    with pytest.raises(nb.LimitReachedError) as e:
        hub.claim_need(me, need=other, claimant=nb.Claimant.member(w.loner), promised_by=until)
    assert e.value.max == 1
    with pytest.raises(nb.LimitReachedError):
        hub.extend_claim(me, claim=claim.id, promised_by=until + timedelta(days=1))
    with pytest.raises(nb.InvalidInputError) as bad:
        hub.library(SYS, limit=21)
    assert bad.value.field == "limit"


@pytest.mark.parametrize(
    "config, field",
    [
        (nb.HubConfig(max_page=0), "config.max_page"),
        (nb.HubConfig(max_open_claims_per_member=0), "config.max_open_claims_per_member"),
        (nb.HubConfig(warn_before=timedelta(days=-1)), "config.warn_before"),
        (nb.HubConfig(max_retries=-1), "config.max_retries"),
        (nb.HubConfig(max_extensions=2**40), "config.max_extensions"),
        (nb.HubConfig(max_page=True), "config.max_page"),  # type: ignore[arg-type]
        (nb.HubConfig(warn_before=3), "config.warn_before"),  # type: ignore[arg-type]
        ({"max_page": 10}, "config"),
    ],
)
def test_a_bad_config_is_refused_naming_its_field(config: Any, field: str, tmp_path: Path) -> None:
    for call in (
        lambda: nb.Hub.in_memory(config=config),
        lambda: nb.Hub.open(tmp_path / "x.db", create=True, config=config),
    ):
        with pytest.raises(nb.InvalidInputError) as e:
            call()
        assert e.value.field == field


def test_synchronous_normal_or_full(tmp_path: Path) -> None:
    for mode in ("normal", "full"):
        with nb.Hub.open(tmp_path / f"{mode}.db", create=True, synchronous=mode) as hub:  # type: ignore[arg-type]
            hub.create_unit(SYS, kind="district", name="钟山区")
    with pytest.raises(nb.InvalidInputError) as e:
        nb.Hub.open(tmp_path / "x.db", create=True, synchronous="off")  # type: ignore[arg-type]
    assert e.value.field == "synchronous"
    assert not (tmp_path / "x.db").exists()
