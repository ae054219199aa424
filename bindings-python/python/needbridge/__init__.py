"""needbridge for Python: residents' needs turned into work that volunteers claim, do and
account for.

>>> import needbridge as nb
>>> hub = nb.Hub.in_memory()
>>> district = hub.create_unit(nb.Actor.system(), kind="district", name="钟山区")
>>> district.kind
<UnitKind.DISTRICT: 'district'>

Everything goes through one :class:`Hub`, always as an :class:`Actor`. Records are frozen
dataclasses (``to_dict()``, ``==``, readable ``repr``); vocabularies are ``str`` enums that
also accept their codes; ids are :class:`uuid.UUID`, times timezone-aware
:class:`datetime.datetime`, money integer fen (:func:`fen`, :func:`yuan`). Errors are
:class:`NeedbridgeError` subclasses (see :mod:`needbridge.errors`).
"""

from . import config, errors, models, sync
from ._types import DISTRICT_TZ, Actor, Claimant, Instant, fen, yuan
from .config import HubConfig, Synchronous
from .errors import (
    ConflictError,
    ForbiddenError,
    IllegalStateError,
    InvalidInputError,
    LimitReachedError,
    NeedbridgeError,
    NotFoundError,
    StorageError,
    VersionNotSupportedError,
)
from .hub import Hub
from .models import *  # noqa: F401,F403  (the records and vocabularies)
from .sync import Device, PullSummary, PushSummary, RejectedMutation, StoredRejection, SyncStatus
from ._native import __version__

__all__ = [
    "Hub",
    "HubConfig",
    "Synchronous",
    "Actor",
    "Claimant",
    "Instant",
    "DISTRICT_TZ",
    "fen",
    "yuan",
    "config",
    "errors",
    "models",
    "sync",
    "Device",
    "PushSummary",
    "PullSummary",
    "SyncStatus",
    "RejectedMutation",
    "StoredRejection",
    "NeedbridgeError",
    "NotFoundError",
    "InvalidInputError",
    "ForbiddenError",
    "ConflictError",
    "LimitReachedError",
    "IllegalStateError",
    "StorageError",
    "VersionNotSupportedError",
    "__version__",
] + list(models.__all__)
