"""Encryption at rest from Python: ``Hub.open(path, key=...)``, the typed error for a wrong or
missing key (the file untouched), rekeying, and encrypting a plain file in place."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Dict

import pytest

import needbridge as nb

from conftest import SYS, build, id_number

KEY = "correct horse battery staple"
SECRETS = ["陈大爷", "刘小明", "13912345678", id_number("19360815", 1)]


def _files(directory: Path) -> Dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _leaks(path: Path) -> list[str]:
    """The residents' data readable in the database file or its WAL."""
    data = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    return [s for s in SECRETS if s.encode() in data]


def _residents(hub: nb.Hub, committee: object) -> list[str]:
    staff = nb.Actor.committee_staff(committee)  # type: ignore[arg-type]
    return sorted(r.name for r in hub.residents(staff, committee))


def _refused(call: object) -> nb.errors.InvalidInputError:
    with pytest.raises(nb.errors.InvalidInputError) as e:
        call()  # type: ignore[operator]
    assert e.value.field == "key"
    assert KEY not in str(e.value) and "other" not in str(e.value)
    return e.value


def test_open_with_a_key_encrypts_the_file_and_its_wal(tmp_path: Path) -> None:
    plain = tmp_path / "plain.db"
    w = build(nb.Hub.open(plain, create=True))
    assert _leaks(plain), "the scan finds the data in a plain file"
    del w
    gc.collect()

    path = tmp_path / "encrypted.db"
    w = build(nb.Hub.open(path, key=KEY, create=True))
    assert Path(f"{path}-wal").stat().st_size > 0
    assert _leaks(path) == []
    want = _residents(w.hub, w.committee)
    committee = w.committee
    del w
    gc.collect()
    assert _leaks(path) == []

    again = nb.Hub.open(path, key=KEY)
    assert _residents(again, committee) == want == ["刘小明", "陈大爷"]
    assert again.backend == "sqlite"


def test_a_raw_key_of_32_bytes(tmp_path: Path) -> None:
    path = tmp_path / "raw.db"
    hub = nb.Hub.open(path, key=bytes(range(32)), create=True)
    hub.create_unit(SYS, kind="district", name="钟山区")
    del hub
    gc.collect()
    assert len(nb.Hub.open(path, key=bytes(range(32))).units(SYS)) == 1
    _refused(lambda: nb.Hub.open(path, key=bytes(32)))
    _refused(lambda: nb.Hub.open(path, key=b"short"))
    _refused(lambda: nb.Hub.open(path, key=""))
    _refused(lambda: nb.Hub.open(path, key=42))  # type: ignore[arg-type]


def test_a_wrong_or_missing_key_is_refused_and_the_file_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "needbridge.db"
    w = build(nb.Hub.open(path, key=KEY, create=True))
    committee = w.committee
    del w
    gc.collect()
    before = _files(tmp_path)
    _refused(lambda: nb.Hub.open(path, key="other passphrase"))
    e = _refused(lambda: nb.Hub.open(path))
    assert "encrypted" in str(e)
    assert isinstance(e, ValueError) and isinstance(e, nb.errors.NeedbridgeError)
    assert _files(tmp_path) == before, "byte-identical after the refusals"
    assert len(_residents(nb.Hub.open(path, key=KEY), committee)) == 2

    plain = tmp_path / "plain.db"
    nb.Hub.open(plain, create=True)
    gc.collect()
    e = _refused(lambda: nb.Hub.open(plain, key=KEY))
    assert "not encrypted" in str(e)


def test_rekey_and_encrypt_in_place(tmp_path: Path) -> None:
    path = tmp_path / "needbridge.db"
    w = build(nb.Hub.open(path, create=True))
    committee = w.committee
    # Not while a Hub has the file open.
    with pytest.raises(nb.errors.IllegalStateError):
        nb.Hub.encrypt(path, KEY)
    del w
    gc.collect()
    assert _leaks(path)

    nb.Hub.encrypt(path, KEY)
    assert _leaks(path) == []
    _refused(lambda: nb.Hub.open(path))
    _refused(lambda: nb.Hub.encrypt(path, KEY))

    nb.Hub.rekey(path, KEY, "new passphrase")
    _refused(lambda: nb.Hub.open(path, key=KEY))
    _refused(lambda: nb.Hub.rekey(path, KEY, "x"))
    hub = nb.Hub.open(path, key="new passphrase")
    assert len(_residents(hub, committee)) == 2
    del hub
    gc.collect()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["needbridge.db"]

    nb.Hub.decrypt(path, "new passphrase")
    assert _leaks(path)
    assert len(_residents(nb.Hub.open(path), committee)) == 2


def test_a_key_with_a_lone_surrogate_is_refused_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "needbridge.db"
    for call in (
        lambda: nb.Hub.open(path, key="pass\ud800word"),
        lambda: nb.Hub.encrypt(path, "pass\ud800word"),
        lambda: nb.Hub.rekey(path, KEY, "pass\ud800word"),
    ):
        e = _refused(call)
        assert "surrogate" in e.reason
    assert not path.exists(), "nothing was created"
