"""The :class:`Hub`: every command and read of the core, with keyword arguments."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone, tzinfo
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    List,
    Literal,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    overload,
)
from uuid import UUID

from . import _native
from . import models as m
from . import sync as s
from ._commands import _Commands
from ._types import DISTRICT_TZ, Actor, Claimant, Instant, _enum, _enums, _instant, _reader, _typed
from .config import HubConfig, Synchronous
from .errors import _invalid

if TYPE_CHECKING:
    import pandas
    import polars

__all__ = ["Hub", "FrameKind"]

R = TypeVar("R")

_Bound = Optional[Instant]

FrameKind = Literal["needs", "claims", "members", "teams", "activities", "ledger"]
"""What :meth:`Hub.frame` can load."""

_FRAME_KINDS = ("needs", "claims", "members", "teams", "activities", "ledger")


_Label = Tuple[str, str, Dict[str, str]]


def _with_labels(columns: Dict[str, Any], labels: List[Any], make: Any) -> Dict[str, Any]:
    """``columns`` with each label column right after the id column it labels (after that
    column's earlier labels), built by ``make(id values, labels by id, name)``."""
    after: Dict[str, List[Any]] = {}
    for col, name, names in labels:
        if col in columns:
            after.setdefault(col, []).append((name, make(columns[col], names, name)))
    out: Dict[str, Any] = {}
    for col, values in columns.items():
        out[col] = values
        for name, label in after.get(col, []):
            out[name] = label
    return out


def _pandas_labels(ids: Any, names: Dict[str, str], name: str) -> Any:
    """A categorical of the label of each id (missing where the id or its label is): the ids
    are factorized in C, only the distinct ones looked up."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(ids)
    found = [names.get(str(u)) for u in uniques]
    categories = sorted({x for x in found if x is not None})
    index = {c: i for i, c in enumerate(categories)}
    # One slot more, for code -1 (a missing id): remap[-1] is that slot, -1 (missing).
    remap = np.array([index[x] if x is not None else -1 for x in found] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def _polars_labels(ids: Any, names: Dict[str, str], name: str) -> Any:
    """A categorical series of the label of each id (null where the id or its label is)."""
    import polars as pl

    text = ids.cast(pl.Utf8)
    if hasattr(text, "replace_strict"):
        labels = text.replace_strict(names, default=None, return_dtype=pl.Utf8)
    else:  # polars before 1.0
        labels = text.replace(names, default=None)
    return labels.cast(pl.Categorical).alias(name)


def _scope(unit: Optional[UUID], work_unit: Optional[UUID]) -> Dict[str, Any]:
    if (unit is None) == (work_unit is None):
        raise _invalid("scope", "give exactly one of unit and work_unit")
    if unit is not None:
        return {"of": "unit", "id": unit}
    return {"of": "work_unit", "id": work_unit}


def _config(config: Optional[HubConfig]) -> Optional[HubConfig]:
    if config is not None and not isinstance(config, HubConfig):
        raise _invalid("config", "must be a needbridge.HubConfig")
    return config


def _tz(tz: tzinfo) -> tzinfo:
    if not isinstance(tz, tzinfo):
        raise _invalid("tz", "must be a datetime.tzinfo")
    return tz


def _offset_minutes(tz: tzinfo) -> int:
    """``tz``'s offset from UTC now, in minutes: the fixed offset exports show times in."""
    offset = datetime.now(timezone.utc).astimezone(tz).utcoffset()
    return 0 if offset is None else int(offset.total_seconds()) // 60


class Hub(_Commands):
    """The one entry point: runs commands (each in one transaction with its event) and answers
    reads, always as an :class:`Actor`, masking personal data the actor may not see.

    Open one per database and share it between threads: calls release the GIL while the core
    works. A Hub is a context manager: ``with Hub.open(path) as hub: ...`` closes it at the
    end (:meth:`close`).
    """

    __slots__ = ("_hub", "_tz")

    def __init__(self, native: Any, tz: tzinfo = DISTRICT_TZ) -> None:
        """Use :meth:`open`, :meth:`in_memory` or :meth:`connect_postgres`."""
        if not isinstance(native, _native.Hub):
            raise TypeError("use Hub.open(), Hub.in_memory() or Hub.connect_postgres()")
        self._hub = native
        self._tz = _tz(tz)

    @classmethod
    def open(
        cls,
        path: Union[str, "os.PathLike[str]"],
        key: Union[str, bytes, None] = None,
        *,
        create: bool = False,
        read_only: bool = False,
        synchronous: Synchronous = "full",
        config: Optional[HubConfig] = None,
        tz: tzinfo = DISTRICT_TZ,
    ) -> "Hub":
        """Opens an embedded SQLite database file and brings its schema up to date.

        A missing file is refused (:class:`~needbridge.errors.InvalidInputError` with
        ``field == "path"``) unless ``create=True``, so a typo in a path never becomes a new,
        empty database; ``create=True`` creates the file if it is missing and opens it if not.

        With ``read_only=True`` every command (and :meth:`tick`, :meth:`sync_push`, a sync
        :class:`~needbridge.Device`) is refused with
        :class:`~needbridge.errors.IllegalStateError` (``state == "read_only"``) before any
        transaction begins: for analysts who must not change anything. Reads are unchanged.
        The file is opened read-only by SQLite itself, so nothing can write through this Hub
        and the file is never migrated (one with an older schema is refused: open it
        writable once); ``read_only`` cannot be combined with ``create``.

        ``synchronous`` is SQLite's durability (``"full"``, the default, or ``"normal"``, see
        :data:`~needbridge.config.Synchronous`); ``config`` the policies
        (:class:`HubConfig`, the core's defaults when ``None``); ``tz`` the time zone a
        :class:`~datetime.date` given as a time bound starts in (:data:`DISTRICT_TZ`,
        UTC+8, by default).

        With ``key`` the file is encrypted at rest (SQLCipher): a ``str`` passphrase (the
        key is derived from it by PBKDF2) or 32 raw ``bytes`` (say from the platform's key
        store). A new file is created encrypted. A wrong key, a key for a plain file, or no
        key for an encrypted file raises :class:`~needbridge.errors.InvalidInputError` with
        ``field == "key"`` and leaves the file exactly as it was.
        """
        native = _native.Hub.open(
            os.fspath(path),
            key,
            create=create,
            read_only=read_only,
            synchronous=synchronous,
            config=_config(config),
        )
        return cls(native, tz)

    @staticmethod
    def rekey(
        path: Union[str, "os.PathLike[str]"],
        old_key: Union[str, bytes],
        new_key: Union[str, bytes],
    ) -> None:
        """Changes the key of the encrypted database file at ``path``.

        The database must be closed: no open :class:`Hub` on it, in this process or another
        (:class:`~needbridge.errors.IllegalStateError` otherwise). A wrong ``old_key`` raises
        :class:`~needbridge.errors.InvalidInputError` and changes nothing. The data is copied
        into a new file that replaces the old one atomically.
        """
        _native.Hub.rekey(os.fspath(path), old_key, new_key)

    @staticmethod
    def encrypt(path: Union[str, "os.PathLike[str]"], key: Union[str, bytes]) -> None:
        """Encrypts the plain database file at ``path`` in place with ``key`` (a closed
        database, as :meth:`rekey`); open it afterwards with ``Hub.open(path, key=key)``."""
        _native.Hub.encrypt(os.fspath(path), key)

    @staticmethod
    def decrypt(path: Union[str, "os.PathLike[str]"], key: Union[str, bytes]) -> None:
        """Decrypts the encrypted database file at ``path`` in place into a plain one (a
        closed database, as :meth:`rekey`)."""
        _native.Hub.decrypt(os.fspath(path), key)

    @classmethod
    def in_memory(
        cls, *, config: Optional[HubConfig] = None, tz: tzinfo = DISTRICT_TZ
    ) -> "Hub":
        """A Hub over a fresh in-memory store (tests, notebooks); ``config`` and ``tz`` as in
        :meth:`open`."""
        return cls(_native.Hub.in_memory(config=_config(config)), tz)

    @classmethod
    def connect_postgres(
        cls,
        url: str,
        *,
        read_only: bool = False,
        config: Optional[HubConfig] = None,
        tz: tzinfo = DISTRICT_TZ,
    ) -> "Hub":
        """Connects to PostgreSQL (``postgresql://…`` or libpq ``key=value`` text) and brings
        the schema up to date; ``read_only``, ``config`` and ``tz`` as in :meth:`open` (for a
        database role that truly cannot write, connect as one: PostgreSQL enforces it)."""
        native = _native.Hub.connect_postgres(url, read_only=read_only, config=_config(config))
        return cls(native, tz)

    # -------------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """Releases the database. Later calls raise
        :class:`~needbridge.errors.IllegalStateError` (``hub is closed``); closing again does
        nothing. Calls already running on other threads finish first, and a sync
        :class:`~needbridge.Device` opened on this Hub keeps the database open until it is
        itself gone."""
        self._hub.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return bool(self._hub.closed)

    def __enter__(self) -> "Hub":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    @property
    def read_only(self) -> bool:
        """Whether commands are refused (opened with ``read_only=True``)."""
        return bool(self._hub.read_only)

    @property
    def config(self) -> HubConfig:
        """The policies in force."""
        opens, warn, extensions, retries, page = self._hub.config()
        return HubConfig(
            max_open_claims_per_member=opens,
            warn_before=timedelta(microseconds=warn),
            max_extensions=extensions,
            max_retries=retries,
            max_page=page,
        )

    @property
    def tz(self) -> tzinfo:
        """The time zone a :class:`~datetime.date` given as a time bound starts in."""
        return self._tz

    @property
    def backend(self) -> str:
        """``sqlite``, ``postgres`` or ``memory``."""
        return str(self._hub.backend_name())

    def now(self) -> datetime:
        """The Hub's current time (UTC)."""
        from ._types import _time

        return _time(self._hub.now())

    def __repr__(self) -> str:
        state = " closed" if self.closed else " read_only" if self.read_only else ""
        return f"<needbridge.Hub backend={self.backend}{state}>"

    # -------------------------------------------------------------------- plumbing

    def _run(self, actor: Actor, command: str, out: Type[R], **fields: Any) -> R:
        result: R = self._hub.run(actor, command, fields, _reader(out))
        return result

    @overload
    def _ask(self, actor: Actor, query: str, out: Type[R], **args: Any) -> R: ...

    @overload
    def _ask(self, actor: Actor, query: str, out: List[Type[R]], **args: Any) -> List[R]: ...

    def _ask(self, actor: Actor, query: str, out: Any, **args: Any) -> Any:
        return self._hub.ask(actor, query, args, _reader(out))

    # -------------------------------------------------------------------- reads

    @_typed
    def unit(self, actor: Actor, id: UUID) -> m.Unit:
        """One unit of the residence tree."""
        return self._ask(actor, "unit", m.Unit, id=id)

    @_typed
    def units(
        self,
        actor: Actor,
        *,
        parent: Optional[UUID] = None,
        kind: Union[m.UnitKind, str, None] = None,
    ) -> List[m.Unit]:
        """Units, optionally the children of ``parent`` and/or of one ``kind``."""
        k = None if kind is None else _enum(m.UnitKind, kind, "kind")
        return self._ask(actor, "units", [m.Unit], parent=parent, kind=k)

    @_typed
    def work_units(self, actor: Actor) -> List[m.WorkUnit]:
        """Every registered work unit."""
        return self._ask(actor, "work_units", [m.WorkUnit])

    @_typed
    def organisations(self, actor: Actor) -> List[m.Organisation]:
        """Every enterprise and social organisation (contacts masked unless entitled)."""
        return self._ask(actor, "organisations", [m.Organisation])

    @_typed
    def categories(self, actor: Actor) -> List[m.Category]:
        """The needs taxonomy."""
        return self._ask(actor, "categories", [m.Category])

    @_typed
    def member(self, actor: Actor, id: UUID) -> m.Member:
        """One member (phone and ID number masked unless entitled)."""
        return self._ask(actor, "member", m.Member, id=id)

    @_typed
    def members(
        self,
        actor: Actor,
        *,
        unit: Optional[UUID] = None,
        work_unit: Optional[UUID] = None,
        statuses: Optional[List[Union[m.MemberStatus, str]]] = None,
    ) -> List[m.Member]:
        """Members reported to committees under ``unit``, or certified by ``work_unit``."""
        st = _enums(m.MemberStatus, statuses or [], "statuses")
        return self._ask(actor, "members", [m.Member], scope=_scope(unit, work_unit), statuses=st)

    @_typed
    def members_without_team(self, actor: Actor, committee: UUID) -> List[m.Member]:
        """Accepted members of a committee in none of its teams yet."""
        return self._ask(actor, "members_without_team", [m.Member], committee=committee)

    @_typed
    def certificates(self, actor: Actor, work_unit: UUID) -> List[m.CertificateRow]:
        """A work unit's certificates and where each stands."""
        return self._ask(actor, "certificates", [m.CertificateRow], work_unit=work_unit)

    @_typed
    def ledger(self, actor: Actor, work_unit: UUID) -> List[m.LedgerEntry]:
        """The acceptances and returns sent back to a work unit."""
        return self._ask(actor, "ledger", [m.LedgerEntry], work_unit=work_unit)

    @_typed
    def resident(self, actor: Actor, id: UUID) -> m.Resident:
        """One resident (personal data masked unless entitled)."""
        return self._ask(actor, "resident", m.Resident, id=id)

    @_typed
    def residents(self, actor: Actor, unit: UUID) -> List[m.Resident]:
        """Residents held by committees under ``unit``."""
        return self._ask(actor, "residents", [m.Resident], unit=unit)

    @_typed
    def need(self, actor: Actor, id: UUID) -> m.Need:
        """One need (non-public needs only for those who oversee it and its drafter)."""
        return self._ask(actor, "need", m.Need, id=id)

    @_typed
    def library(
        self,
        actor: Actor,
        *,
        unit: Optional[UUID] = None,
        category: Optional[str] = None,
        statuses: Optional[List[Union[m.NeedStatus, str]]] = None,
        channel: Union[m.Channel, str, None] = None,
        scale: Union[m.Scale, str, None] = None,
        resident: Optional[UUID] = None,
        grid: Optional[UUID] = None,
        text: Optional[str] = None,
        after: Optional[UUID] = None,
        limit: int = 0,
    ) -> m.NeedPage:
        """One page of the project library, in stable order; pass ``page.next`` as ``after``
        for the next page. ``grid`` keeps the needs of one grid (网格)."""
        return self._ask(
            actor,
            "library",
            m.NeedPage,
            unit=unit,
            category=category,
            statuses=_enums(m.NeedStatus, statuses or [], "statuses"),
            channel=None if channel is None else _enum(m.Channel, channel, "channel"),
            scale=None if scale is None else _enum(m.Scale, scale, "scale"),
            resident=resident,
            grid=grid,
            text=text,
            after=after,
            limit=limit,
        )

    @_typed
    def claim(self, actor: Actor, id: UUID) -> m.Claim:
        """One claim."""
        return self._ask(actor, "claim", m.Claim, id=id)

    @_typed
    def claims(
        self,
        actor: Actor,
        *,
        need: Optional[UUID] = None,
        claimant: Optional[Claimant] = None,
        statuses: Optional[List[Union[m.ClaimStatus, str]]] = None,
        unit: Optional[UUID] = None,
        promised_before: _Bound = None,
    ) -> List[m.Claim]:
        """Claims matching every given filter, in creation order (``promised_before``: a
        timezone-aware ``datetime`` or a ``date``, see :attr:`tz`)."""
        return self._ask(
            actor,
            "claims",
            [m.Claim],
            need=need,
            claimant=claimant,
            statuses=_enums(m.ClaimStatus, statuses or [], "statuses"),
            unit=unit,
            promised_before=_instant(promised_before, "promised_before", self._tz),
        )

    @_typed
    def offers(
        self,
        actor: Actor,
        *,
        need: Optional[UUID] = None,
        to: Optional[Claimant] = None,
        statuses: Optional[List[Union[m.OfferStatus, str]]] = None,
        unit: Optional[UUID] = None,
        expires_before: _Bound = None,
    ) -> List[m.Offer]:
        """Offers of needs (派单; 支部安排) matching every given filter that the actor may know
        of, in creation order."""
        return self._ask(
            actor,
            "offers",
            [m.Offer],
            need=need,
            to=to,
            statuses=_enums(m.OfferStatus, statuses or [], "statuses"),
            unit=unit,
            expires_before=_instant(expires_before, "expires_before", self._tz),
        )

    @_typed
    def households(self, actor: Actor, unit: UUID) -> List[m.Household]:
        """Households (户) under ``unit`` (those who oversee it); a resident's ``household``
        names one."""
        return self._ask(actor, "households", [m.Household], unit=unit)

    @_typed
    def service_records(
        self,
        actor: Actor,
        member: UUID,
        *,
        since: _Bound = None,
        until: _Bound = None,
        period: Optional[m.Period] = None,
    ) -> List[m.ServiceRecord]:
        """A member's volunteer service records (志愿服务记录) served in the period: name,
        date, place, content, minutes actually given, organising unit, person in charge, and
        whether each was entered within 10 working days. The member, their work unit's
        secretary and those over their committee."""
        s, u = self._bounds(since, until, period)
        return self._ask(actor, "service_records", [m.ServiceRecord], member=member, since=s, until=u)

    @_typed
    def check_service_certificate(self, actor: Actor, number: str) -> Optional[m.CertificateCheck]:
        """Checks a service certificate by its number against the store (anyone may): the
        certificate and whether its records still give what it says; ``None`` for an unknown
        number."""
        found = self._ask(actor, "check_service_certificate", [m.CertificateCheck], number=number)
        return found[0] if found else None

    @_typed
    def needs_near(
        self, actor: Actor, unit: UUID, point: m.GeoPoint, within_m: int, *, limit: int = 0
    ) -> List[m.NearNeed]:
        """Needs under ``unit`` within ``within_m`` metres of ``point``, nearest first: those
        the actor may see; places to about 100 m and distances to 100 m (at least 200 m asked)
        for those who do not oversee the committee."""
        return self._ask(actor, "needs_near", [m.NearNeed], unit=unit, point=point,
                         within_m=within_m, limit=limit)

    @_typed
    def corrections(self, actor: Actor, unit: UUID) -> List[m.Correction]:
        """Requests to correct service records at committees under ``unit`` (staff), or the
        member's own."""
        return self._ask(actor, "corrections", [m.Correction], unit=unit)

    @_typed
    def working_calendar(self, actor: Actor) -> List[m.CalendarYear]:
        """The working calendar's years, in year order: the public holidays and the weekend
        days worked instead (``set_working_calendar``), dates as ISO text (``2026-10-01``);
        anyone may read it."""
        return self._ask(actor, "working_calendar", [m.CalendarYear])

    def export_service_certificate(
        self, actor: Actor, number: str, *, format: str = "xlsx", language: str = "zh"
    ) -> Union[str, bytes]:
        """A service certificate (志愿服务记录证明) as a table to print or file: XLSX bytes or
        CSV text, one row per record it covers, the total, its number, issuer and date."""
        return self._export(actor, format, (None, None, None), certificate=number, language=language)

    @_typed
    def members_with_skill(self, actor: Actor, unit: UUID, skill: str) -> List[m.Member]:
        """Accepted members under ``unit`` who declared a skill containing ``skill``: whom to
        offer a need to (staff over the unit)."""
        return self._ask(actor, "members_with_skill", [m.Member], unit=unit, skill=skill)

    @_typed
    def claims_of(self, actor: Actor, claimant: Claimant) -> List[m.Claim]:
        """Claims held by one claimant."""
        return self._ask(actor, "claims_of", [m.Claim], claimant=claimant)

    @_typed
    def team(self, actor: Actor, id: UUID) -> m.Team:
        """One team."""
        return self._ask(actor, "team", m.Team, id=id)

    @_typed
    def teams(
        self,
        actor: Actor,
        *,
        unit: Optional[UUID] = None,
        kind: Union[m.TeamKind, str, None] = None,
        member: Optional[UUID] = None,
    ) -> List[m.Team]:
        """Teams matching every given filter."""
        return self._ask(
            actor,
            "teams",
            [m.Team],
            unit=unit,
            kind=None if kind is None else _enum(m.TeamKind, kind, "kind"),
            member=member,
        )

    @_typed
    def activities(
        self,
        actor: Actor,
        *,
        unit: Optional[UUID] = None,
        kind: Union[m.ActivityKind, str, None] = None,
        team: Optional[UUID] = None,
        held_from: _Bound = None,
        held_before: _Bound = None,
        after: Optional[UUID] = None,
        limit: Optional[int] = None,
    ) -> List[m.Activity]:
        """Activities matching every given filter, one page (``held_from`` inclusive,
        ``held_before`` exclusive: timezone-aware ``datetime`` values or ``date`` values, see
        :attr:`tz`)."""
        args: Dict[str, Any] = {
            "unit": unit,
            "kind": None if kind is None else _enum(m.ActivityKind, kind, "kind"),
            "team": team,
            "held_from": _instant(held_from, "held_from", self._tz),
            "held_before": _instant(held_before, "held_before", self._tz),
            "after": after,
            "limit": limit,
        }
        return self._ask(actor, "activities", [m.Activity], **args)

    @_typed
    def hours_of(self, actor: Actor, member: UUID) -> List[m.Hours]:
        """A member's logged hours."""
        return self._ask(actor, "hours_of", [m.Hours], member=member)

    @_typed
    def hours_at(
        self, actor: Actor, unit: UUID, *, status: Union[m.HoursStatus, str, None] = None
    ) -> List[m.Hours]:
        """Hours logged at committees under ``unit``."""
        s = None if status is None else _enum(m.HoursStatus, status, "status")
        return self._ask(actor, "hours_at", [m.Hours], unit=unit, status=s)

    @_typed
    def roles(self, actor: Actor, unit: UUID, *, current_only: bool = False) -> List[m.Role]:
        """Three-heads roles under ``unit``."""
        return self._ask(actor, "roles", [m.Role], unit=unit, current_only=current_only)

    @_typed
    def pairings(self, actor: Actor, unit: UUID, *, current_only: bool = False) -> List[m.Pairing]:
        """Pairings (结对帮扶) under ``unit``."""
        return self._ask(actor, "pairings", [m.Pairing], unit=unit, current_only=current_only)

    @_typed
    def visits(self, actor: Actor, pairing: UUID) -> List[m.Hours]:
        """A pairing's visit log (走访记录): the hours its member logged as visits of it, in
        the order served. The member and those over the pairing's committee read it."""
        return self._ask(actor, "visits", [m.Hours], pairing=pairing)

    @_typed
    def events_since(self, actor: Actor, after: int = 0, limit: int = 100) -> List[m.Event]:
        """The audit trail after sequence number ``after`` that the actor may read."""
        return self._ask(actor, "events_since", [m.Event], after=after, limit=limit)

    def tick(self) -> m.TickSummary:
        """Warns about claims due soon, lapses overdue claims and expires stale needs."""
        out: m.TickSummary = self._hub.tick(_reader(m.TickSummary))
        return out

    # -------------------------------------------------------------------- frames

    @overload
    def frame(
        self,
        kind: FrameKind,
        actor: Actor,
        *,
        unit: UUID,
        engine: Literal["pandas"] = ...,
        labels: bool = ...,
    ) -> "pandas.DataFrame": ...

    @overload
    def frame(
        self,
        kind: FrameKind,
        actor: Actor,
        *,
        unit: UUID,
        engine: Literal["polars"],
        labels: bool = ...,
    ) -> "polars.DataFrame": ...

    @_typed
    def frame(
        self,
        kind: FrameKind,
        actor: Actor,
        *,
        unit: UUID,
        engine: str = "pandas",
        labels: bool = False,
    ) -> Any:
        """The records of ``kind`` under ``unit`` as a data frame: ``"needs"``, ``"claims"``,
        ``"members"``, ``"teams"``, ``"activities"`` or ``"ledger"`` (the committee ledger).

        ``engine="pandas"`` (default) returns a ``pandas.DataFrame``, ``engine="polars"`` a
        ``polars.DataFrame`` (install ``needbridge[pandas]`` or ``needbridge[polars]``).
        Integers are nullable ``Int64``, times UTC ``datetime64[us]``, statuses and other codes
        categorical, text strings. Ids are text: ``str(uuid)`` of the records' ids (lowercase,
        hyphenated), so ``df[df.committee == str(unit.id)]`` and ``UUID(x)`` both work.
        Personal data is masked as in the matching read. The columns are built in Rust, not
        from row objects.

        With ``labels=True`` a readable label follows each id column it names, so a
        ``groupby`` needs no join: ``committee_name`` (needs, claims, members, teams,
        activities), ``grid_name`` (needs), ``category_zh`` and ``category_en`` (needs,
        ledger), ``work_unit_name`` (members), ``team_name`` (activities) — categorical
        columns, missing where the id is. Labels are names, not keys: two committees may
        share one, so group by the id when that matters.
        """
        kinds = _FRAME_KINDS
        if kind not in kinds:
            raise _invalid("kind", "must be one of: " + ", ".join(kinds))
        if engine not in ("pandas", "polars"):
            raise _invalid("engine", "must be pandas or polars")
        if engine == "pandas":
            try:
                import pandas as pd
            except ImportError:
                raise ImportError(
                    "hub.frame(engine='pandas') needs pandas: pip install 'needbridge[pandas]'"
                ) from None
        else:
            try:
                import polars as pl
            except ImportError:
                raise ImportError(
                    "hub.frame(engine='polars') needs polars: pip install 'needbridge[polars]'"
                ) from None
        import numpy as np

        # With pyarrow installed, text columns arrive as Arrow buffers (no Python object per
        # value) and become pandas' Arrow-backed ``string`` dtype.
        pa: Any = None
        if engine == "pandas":
            try:
                import pyarrow

                pa = pyarrow
            except ImportError:
                pa = None
        columns = self._hub.frame(actor, kind, str(unit), pa is not None)

        def numbers(buffers: Any) -> Any:
            values, valid = buffers
            return np.frombuffer(values, dtype="<i8"), np.frombuffer(valid, dtype=np.bool_)

        def codes(buffers: Any) -> Any:
            raw, categories = buffers
            return np.frombuffer(raw, dtype="<i4"), list(categories)

        if engine == "pandas":
            data: Dict[str, Any] = {}
            for name, ty, values in columns:
                if ty == "int":
                    v, ok = numbers(values)
                    data[name] = pd.arrays.IntegerArray(v.copy(), ~ok)
                elif ty == "time":
                    v, ok = numbers(values)
                    t = v.astype("datetime64[us]")
                    t[~ok] = np.datetime64("NaT")
                    data[name] = pd.Series(t).dt.tz_localize("UTC")
                elif ty == "code":
                    c, cats = codes(values)
                    data[name] = pd.Categorical.from_codes(c, categories=cats)
                elif ty == "arrow_text":
                    offsets, text, bitmap, nulls = values
                    arr = pa.StringArray.from_buffers(
                        len(offsets) // 4 - 1,
                        pa.py_buffer(offsets),
                        pa.py_buffer(text),
                        pa.py_buffer(bitmap),
                        nulls,
                    )
                    data[name] = pd.array(arr, dtype=pd.StringDtype("pyarrow"))
                else:
                    data[name] = pd.array(values, dtype="string")
            if labels:
                data = _with_labels(data, self._labels(kind, actor, unit), _pandas_labels)
            return pd.DataFrame(data)
        series = []
        for name, ty, values in columns:
            if ty in ("int", "time"):
                v, ok = numbers(values)
                s = pl.Series(name, v, dtype=pl.Int64)
                if not ok.all():
                    s = pl.select(pl.when(pl.Series(ok)).then(s)).to_series().alias(name)
                if ty == "time":
                    s = s.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
                series.append(s)
            elif ty == "code":
                c, cats = codes(values)
                named = [cats[i] if i >= 0 else None for i in c.tolist()]
                series.append(pl.Series(name, named, dtype=pl.Categorical))
            else:
                series.append(pl.Series(name, values, dtype=pl.Utf8))
        columns_by_name = {x.name: x for x in series}
        if labels:
            columns_by_name = _with_labels(
                columns_by_name, self._labels(kind, actor, unit), _polars_labels
            )
        return pl.DataFrame(list(columns_by_name.values()))

    def _labels(self, kind: str, actor: Actor, unit: UUID) -> List[_Label]:
        """The label columns of a frame of ``kind``: (id column, label column, label by id
        text), from the public reads of units, categories, work units and teams."""
        out: List[_Label] = []
        if kind != "ledger":
            units = {str(u.id): u.name for u in self.units(actor)}
            out.append(("committee", "committee_name", units))
            if kind == "needs":
                out.append(("grid", "grid_name", units))
        if kind in ("needs", "ledger"):
            categories = self.categories(actor)
            out.append(("category", "category_zh", {c.code: c.name_zh for c in categories}))
            out.append(("category", "category_en", {c.code: c.name_en for c in categories}))
        if kind == "members":
            work_units = {str(w.id): w.name for w in self.work_units(actor)}
            out.append(("work_unit", "work_unit_name", work_units))
        if kind == "activities":
            teams = {str(t.id): t.name for t in self.teams(actor, unit=unit)}
            out.append(("team", "team_name", teams))
        return out

    # -------------------------------------------------------------------- reports and ledgers

    def _bounds(
        self, since: _Bound, until: _Bound, period: Optional[m.Period]
    ) -> Tuple[Optional[datetime], Optional[datetime]]:
        """``[since, until)`` as aware datetimes, from the bounds or from ``period``."""
        if period is not None:
            if since is not None or until is not None:
                raise _invalid("period", "give period or since/until, not both")
            if not isinstance(period, m.Period):
                raise _invalid("period", "must be a needbridge.Period")
            since, until = period.from_, period.to
        return _instant(since, "since", self._tz), _instant(until, "until", self._tz)

    @_typed
    def report(
        self,
        actor: Actor,
        *,
        unit: Optional[UUID] = None,
        work_unit: Optional[UUID] = None,
        since: _Bound = None,
        until: _Bound = None,
        period: Optional[m.Period] = None,
    ) -> m.Report:
        """Every figure of the district report for a unit subtree or a work unit over
        ``[since, until)`` (either end open).

        ``since`` and ``until`` are timezone-aware ``datetime`` values or ``date`` values: a
        date is its midnight in the Hub's time zone (:attr:`tz`: Asia/Shanghai, UTC+8, unless
        opened with another), so ``since=date(2025, 1, 1), until=date(2026, 1, 1)`` is the
        year 2025 in the district. A naive ``datetime`` is refused
        (:class:`~needbridge.errors.InvalidInputError` naming the argument). Or give
        ``period`` (a :class:`~needbridge.Period`, as a report carries) instead of the two.
        In Jupyter the report shows itself as a table of its main figures."""
        since_, until_ = self._bounds(since, until, period)
        return self._ask(
            actor,
            "report",
            m.Report,
            scope=_scope(unit, work_unit),
            since=since_,
            until=until_,
        )

    @_typed
    def work_unit_ledger(
        self,
        actor: Actor,
        work_unit: UUID,
        *,
        since: _Bound = None,
        until: _Bound = None,
        period: Optional[m.Period] = None,
        personal_data: str = "masked",
    ) -> List[m.MemberLedgerRow]:
        """A work unit's ledger (台账): one row per member it certified, over
        ``[since, until)`` (bounds as in :meth:`report`)."""
        since_, until_ = self._bounds(since, until, period)
        return self._ask(
            actor,
            "work_unit_ledger",
            [m.MemberLedgerRow],
            work_unit=work_unit,
            since=since_,
            until=until_,
            personal_data=personal_data,
        )

    @_typed
    def committee_ledger(
        self,
        actor: Actor,
        unit: UUID,
        *,
        since: _Bound = None,
        until: _Bound = None,
        period: Optional[m.Period] = None,
        personal_data: str = "masked",
    ) -> List[m.NeedLedgerRow]:
        """A committee's ledger of needs with their latest claims, over ``[since, until)``
        (bounds as in :meth:`report`)."""
        since_, until_ = self._bounds(since, until, period)
        return self._ask(
            actor,
            "committee_ledger",
            [m.NeedLedgerRow],
            unit=unit,
            since=since_,
            until=until_,
            personal_data=personal_data,
        )

    @_typed
    def export_ledger(
        self,
        actor: Actor,
        *,
        work_unit: Optional[UUID] = None,
        unit: Optional[UUID] = None,
        since: _Bound = None,
        until: _Bound = None,
        period: Optional[m.Period] = None,
        format: str = "csv",
        language: str = "zh",
        personal_data: str = "masked",
        values: str = "labels",
    ) -> Union[str, bytes]:
        """A ledger — a work unit's (``work_unit=``) or a committee's (``unit=``) — as CSV
        text (``format="csv"``) or XLSX bytes (``"xlsx"``, with a cover sheet, a frozen header
        and a page set up to print); see docs/EXPORTS.md.

        ``language``: ``"zh"`` (default) or ``"en"`` for titles, headers and labels.
        ``values``: ``"labels"`` (default: codes as labels, money in yuan, durations in hours,
        times as dates in the Hub's time zone :attr:`tz`, at its current offset from UTC) or
        ``"codes"`` (codes, fen, minutes, UTC: for programs). ``personal_data``:
        ``"masked"`` unless ``"full"`` and the actor is entitled. Bounds as in
        :meth:`report`."""
        if (unit is None) == (work_unit is None):
            raise _invalid("scope", "give exactly one of unit and work_unit")
        return self._export(
            actor,
            format,
            (since, until, period),
            work_unit=work_unit,
            unit=unit,
            language=language,
            personal_data=personal_data,
            values=values,
        )

    @_typed
    def export_report(
        self,
        actor: Actor,
        *,
        unit: Optional[UUID] = None,
        work_unit: Optional[UUID] = None,
        since: _Bound = None,
        until: _Bound = None,
        period: Optional[m.Period] = None,
        language: str = "zh",
        values: str = "labels",
    ) -> bytes:
        """The district report of :meth:`report` as an XLSX workbook an office can file and
        print: a cover (scope, period, who exported it and when), the totals, and every
        breakdown on its own sheet (by committee with a chart of needs by status, by category,
        channel, month, kind of claimant, activities, residents helped). ``language`` and
        ``values`` as in :meth:`export_ledger`; the report holds no personal data."""
        out = self._export(
            actor,
            "xlsx",
            (since, until, period),
            report=_scope(unit, work_unit),
            language=language,
            values=values,
        )
        assert isinstance(out, bytes)
        return out

    def _export(
        self,
        actor: Actor,
        format: str,
        bounds: Tuple[_Bound, _Bound, Optional[m.Period]],
        **what: Any,
    ) -> Union[str, bytes]:
        """The native export of ``what`` over ``bounds``, times in the Hub's time zone."""
        since, until = self._bounds(*bounds)
        what.update(since=since, until=until, utc_offset_minutes=_offset_minutes(self._tz))
        out: Union[str, bytes] = self._hub.export(actor, what, format)
        return out

    # -------------------------------------------------------------------- sync (portal side)

    @_typed
    def sync_push(self, actor: Actor, body: bytes) -> bytes:
        """Answers an app's push (see :mod:`needbridge.sync`): ``body`` is the request's
        bytes as the host received them, from ``actor`` as the host authenticated them (the
        actor comes from the host, never from the message). Returns the response's bytes.

        Each mutation runs through the rules in its own transaction as ``actor``; a refusal
        is stored as its outcome (the queue goes on); a retried mutation answers its stored
        outcome, writing nothing. A malformed body raises
        :class:`~needbridge.errors.InvalidInputError` naming the part of it (``message``,
        ``mutations[0].command.promised_by``), never quoting it; a client id first used by
        another actor, :class:`~needbridge.errors.ForbiddenError`.
        """
        out: bytes = self._hub.sync_push(actor, body)
        return out

    @_typed
    def sync_pull(self, actor: Actor, body: bytes) -> bytes:
        """Answers an app's pull (see :meth:`sync_push`): the changes of ``actor``'s scope
        after the request's cookie, masked exactly as this Hub's reads mask them for
        ``actor``. Returns the response's bytes."""
        out: bytes = self._hub.sync_pull(actor, body)
        return out

    @_typed
    def sync_rejected(self, actor: Actor, unit: UUID) -> List[s.StoredRejection]:
        """The refused mutations pushed at committees within ``unit``, with their content
        (notes, evidence, hours), for its staff to see and reuse; anyone else is refused
        (:class:`~needbridge.errors.ForbiddenError`)."""
        out: List[s.StoredRejection] = self._hub.sync_rejected(
            actor, unit, _reader([s.StoredRejection])
        )
        return out
