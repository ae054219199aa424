"""How a Hub is opened: the policies of the core's ``HubConfig`` and SQLite's durability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

__all__ = ["HubConfig", "Synchronous"]

Synchronous = Literal["full", "normal"]
"""SQLite's durability of a commit: ``"full"`` (the default) survives a power loss;
``"normal"`` is faster, survives a crash of the process, but may lose the last commits on a
power loss (bulk loads, throw-away analysis copies)."""


@dataclass(frozen=True)
class HubConfig:
    """The policies a deployment may tune (the core's ``HubConfig``); the defaults are the
    core's. Give one to :meth:`Hub.open <needbridge.Hub.open>`,
    :meth:`~needbridge.Hub.in_memory` or :meth:`~needbridge.Hub.connect_postgres`; read the
    one in force from :attr:`Hub.config <needbridge.Hub.config>`. A value out of its range
    raises :class:`~needbridge.errors.InvalidInputError` naming ``config.<field>``."""

    max_open_claims_per_member: int = 3
    """Live claims one member may hold at once, across all committees (at least 1)."""
    warn_before: timedelta = timedelta(days=3)
    """How long before its promised date a claim gets the due-soon warning (0 to 365 days)."""
    max_extensions: int = 2
    """How often a claim's promised date may be extended (at most 1000)."""
    max_retries: int = 10
    """How often a command is run again after a serialization conflict before
    :class:`~needbridge.errors.ConflictError` (at most 100)."""
    max_page: int = 1000
    """The largest page a read may ask for (1 to 100000); a larger ``limit`` is refused."""
