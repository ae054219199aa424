"""Offline work and sync (docs/SYNC.md): the portal's Hub answers pushes and pulls
(:meth:`Hub.sync_push <needbridge.Hub.sync_push>`, :meth:`~needbridge.Hub.sync_pull`,
:meth:`~needbridge.Hub.sync_rejected`); an app's :class:`Device` queues what it does
offline and exchanges those messages with the portal.

Messages cross as ``bytes`` (the protocol's versioned JSON): the host moves them however it
likes (HTTP or anything else) and authenticates its users; needbridge decodes and checks
them. A malformed message is refused as :class:`~needbridge.errors.InvalidInputError` naming
the part of it (``message``, ``mutations[2].command.promised_by``), never quoting it.

The result types below are written by hand (the core's description, from which
``models.py`` is generated, does not cover sync); they follow the generated records: frozen
dataclasses with ``to_dict()``.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Type, TypeVar
from uuid import UUID

from . import _native
from ._commands import COMMANDS, _Commands
from ._types import Actor, Record, _reader
from .errors import _invalid

if TYPE_CHECKING:
    from .hub import Hub

R = TypeVar("R")

__all__ = [
    "Device",
    "Mutation",
    "Outcome",
    "PushSummary",
    "PullSummary",
    "SyncStatus",
    "RejectedMutation",
    "StoredRejection",
]


@dataclass(frozen=True)
class Mutation(Record):
    """One queued command, as an app pushes it."""

    id: int
    """Per client, gap-free from 1, never renumbered."""
    at: datetime
    """When the command was issued, by the device's clock (recorded, never used to decide)."""
    new_id: Optional[UUID]
    """The id the device made for the record the command creates."""
    command: Dict[str, Any]
    """The command as the Hub takes it: its name under ``"command"`` and its fields, as
    plain values (ids and times as text)."""


@dataclass(frozen=True)
class Outcome(Record):
    """What became of one mutation on the portal."""

    outcome: str
    """``"applied"`` or ``"rejected"``."""
    seq: Optional[int]
    """Applied: the sequence number of the event it appended (``None`` when rejected)."""
    kind: Optional[str]
    """Rejected: the error's kind, as :attr:`NeedbridgeError.kind
    <needbridge.errors.NeedbridgeError.kind>` (``"conflict"``, ``"illegal_state"``, …)."""
    field: Optional[str]
    """Rejected as ``invalid``: the field refused."""
    reason: Optional[str]
    """Rejected: why, in general words."""


@dataclass(frozen=True)
class PushSummary(Record):
    """What applying a push response did (:meth:`Device.apply_push`)."""

    applied: int
    """Mutations the portal applied."""
    rejected: int
    """Mutations it refused (see :meth:`Device.rejected`)."""
    last_applied: int
    """The client's last mutation id with an outcome."""
    unavailable: bool
    """The batch stopped on a failure of the portal: push again later."""


@dataclass(frozen=True)
class PullSummary(Record):
    """What applying a pull response did (:meth:`Device.apply_pull`)."""

    reset: bool
    """The portal answered ``reset``: pull again (the outbox is kept)."""
    stale: bool
    """The response answered another pull than the device's current one (a duplicate, or a
    late one): nothing was applied."""
    changes: int
    """Changes received."""
    more: bool
    """Another page follows: pull again."""
    ready: bool
    """The view now shows a whole state (false while a snapshot's pages are arriving)."""
    rejected: int
    """Newly refused mutations (see :meth:`Device.rejected`)."""
    replayed: int
    """Pending mutations replayed on the new confirmed state."""


@dataclass(frozen=True)
class SyncStatus(Record):
    """Where a device's sync stands, for the app's UI (:meth:`Device.status`)."""

    client: UUID
    """The client id."""
    pending: int
    """Mutations waiting to be pushed or confirmed."""
    in_flight: bool
    """A push is in flight."""
    rejected: int
    """Refused mutations not yet dismissed."""
    ready: bool
    """A whole state has been pulled (and no reset is waiting for its snapshot)."""


@dataclass(frozen=True)
class RejectedMutation(Record):
    """A mutation the portal refused, kept on the device (its content too) until
    :meth:`Device.dismiss`."""

    mutation: Mutation
    """The mutation as it was queued."""
    outcome: Outcome
    """Why the portal refused it."""


@dataclass(frozen=True)
class StoredRejection(Record):
    """A refused mutation as the portal keeps it for the committee's staff
    (:meth:`Hub.sync_rejected <needbridge.Hub.sync_rejected>`): work done offline is never
    lost."""

    client: UUID
    """The app that pushed it."""
    actor: Actor
    """Who pushed it."""
    mutation: Mutation
    """The mutation as pushed (its notes, evidence and hours included)."""
    outcome: Outcome
    """Why it was refused."""
    decided_at: datetime
    """When the portal refused it."""


_OUTPUTS: Dict[str, Any] = {}


def _output(command: str) -> Any:
    """The record class command ``command`` returns (from the generated method's annotation);
    ``Any`` for a name that is no command (the core refuses it, naming ``command``)."""
    out = _OUTPUTS.get(command)
    if out is None:
        out = Any
        if command in COMMANDS:
            out = typing.get_type_hints(getattr(_Commands, command))["return"]
        _OUTPUTS[command] = out
    return out


class Device(_Commands):
    """The app's side of sync over the app's own :class:`~needbridge.Hub` (SQLite on a
    phone; in memory for tests and tools), for one actor (the signed-in user).

    Commands run at once on the app's Hub through the same rules and are queued in an
    outbox in the same transaction: call them as on a Hub (``device.claim_need(actor,
    need=…)``, the actor being the device's own) or by name with :meth:`execute`. Read the
    view on :attr:`hub` as :attr:`actor`.

    When a connection is there, push then pull: send :meth:`push_request`'s bytes to the
    portal (which answers them with :meth:`Hub.sync_push <needbridge.Hub.sync_push>`) and
    give the answer to :meth:`apply_push` (or call :meth:`push_failed` if none came); then
    send :meth:`pull_request`'s bytes and give the answer to :meth:`apply_pull`, until
    :attr:`PullSummary.more` and :attr:`PullSummary.reset` are false. One push is in flight
    at a time. Refused mutations are kept, with why, in :meth:`rejected`.

    The first time over a store, a client id is made and kept in it; a store that syncs for
    another actor is refused (:class:`~needbridge.errors.ForbiddenError`).
    """

    __slots__ = ("_device", "_app", "_actor")

    def __init__(self, hub: "Hub", actor: Actor) -> None:
        from .hub import Hub

        if not isinstance(hub, Hub):
            raise _invalid("hub", "must be a needbridge.Hub")
        self._device = _native.Device(hub._hub, actor)
        self._app = hub
        self._actor = actor

    @property
    def hub(self) -> "Hub":
        """The app's Hub: read the view there as :attr:`actor`."""
        return self._app

    @property
    def actor(self) -> Actor:
        """The actor this device syncs for."""
        return self._actor

    @property
    def client(self) -> UUID:
        """The client id (made once per store and actor)."""
        return UUID(self._device.client)

    def __repr__(self) -> str:
        native = getattr(self, "_device", None)
        return f"<needbridge.Device client={native.client if native else None}>"

    def _run(self, actor: Actor, command: str, out: Type[R], **fields: Any) -> R:
        if actor != self._actor:
            raise _invalid("actor", "must be the device's actor")
        result: R = self._device.execute(command, fields, _reader(out))
        return result

    def execute(self, command: str, **fields: Any) -> Any:
        """Runs the command named ``command`` (``"claim_need"``, …) with keyword arguments
        ``fields`` as the device's actor: applied to the view at once (a refusal writes and
        queues nothing) and queued with the next mutation id. Returns the record it wrote."""
        return self._device.execute(command, fields, _reader(_output(command)))

    def push_request(self) -> Optional[bytes]:
        """The next push's bytes: the pending mutations the portal has not answered yet, or
        ``None`` when there are none or a push is in flight."""
        out: Optional[bytes] = self._device.push_request()
        return out

    def apply_push(self, response: bytes) -> PushSummary:
        """Takes the portal's answer to the push in flight; refusals are kept
        (:meth:`rejected`). The view changes with the next pull."""
        out: PushSummary = self._device.apply_push(response, _reader(PushSummary))
        return out

    def push_failed(self) -> None:
        """The push in flight got no answer: the next push sends the same mutations again
        (the portal answers a retry from its stored outcomes)."""
        self._device.push_failed()

    def pull_request(self, limit: int = 0) -> bytes:
        """The next pull's bytes (push first); ``limit``: the most changes wanted (0: the
        portal's default)."""
        out: bytes = self._device.pull_request(limit)
        return out

    def apply_pull(self, response: bytes) -> PullSummary:
        """Takes the portal's answer to a pull: the view becomes the portal's state with the
        still-pending mutations replayed on it."""
        out: PullSummary = self._device.apply_pull(response, _reader(PullSummary))
        return out

    def status(self) -> SyncStatus:
        """Where sync stands."""
        out: SyncStatus = self._device.status(_reader(SyncStatus))
        return out

    def pending(self) -> List[Mutation]:
        """The pending mutations, oldest first."""
        out: List[Mutation] = self._device.pending(_reader([Mutation]))
        return out

    def rejected(self) -> List[RejectedMutation]:
        """The mutations the portal refused, oldest first, with why (their content kept)."""
        out: List[RejectedMutation] = self._device.rejected(_reader([RejectedMutation]))
        return out

    def dismiss(self, id: int) -> None:
        """Forgets the refused mutation ``id`` once the app has shown it (nothing when there
        is none)."""
        self._device.dismiss(id)
