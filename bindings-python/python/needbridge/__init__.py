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

Every public name is re-exported explicitly (``from .x import Y as Y``), so ``mypy --strict``
(``no_implicit_reexport``) accepts ``nb.Hub``, ``nb.Claim``, … in code that uses the package.
"""

from . import config as config
from . import errors as errors
from . import models as models
from . import sync as sync
from ._native import __version__ as __version__
from ._types import DISTRICT_TZ as DISTRICT_TZ
from ._types import Actor as Actor
from ._types import Claimant as Claimant
from ._types import Instant as Instant
from ._types import Record as Record
from ._types import fen as fen
from ._types import yuan as yuan
from .config import HubConfig as HubConfig
from .config import Synchronous as Synchronous
from .errors import ConflictError as ConflictError
from .errors import ForbiddenError as ForbiddenError
from .errors import IllegalStateError as IllegalStateError
from .errors import InvalidInputError as InvalidInputError
from .errors import LimitReachedError as LimitReachedError
from .errors import NeedbridgeError as NeedbridgeError
from .errors import NotFoundError as NotFoundError
from .errors import StorageError as StorageError
from .errors import VersionNotSupportedError as VersionNotSupportedError
from .hub import FrameKind as FrameKind
from .hub import Hub as Hub
from .models import *  # noqa: F401,F403  (the records and vocabularies: models.__all__)
from .sync import Device as Device
from .sync import PullSummary as PullSummary
from .sync import PushSummary as PushSummary
from .sync import RejectedMutation as RejectedMutation
from .sync import StoredRejection as StoredRejection
from .sync import SyncStatus as SyncStatus

__all__ = [
    "Hub",
    "HubConfig",
    "Synchronous",
    "FrameKind",
    "Actor",
    "Claimant",
    "Record",
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
]
# The records and vocabularies (Claim, Report, Period, NeedStatus, …): mypy reads this form.
__all__ += models.__all__
