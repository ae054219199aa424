"""Exceptions raised by needbridge: one class per kind of core error.

Every class derives from :class:`NeedbridgeError`; where a builtin fits, it is a base too, so
``except ValueError`` catches bad input and ``except LookupError`` a missing entity. Messages
never contain residents' or members' personal data.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Type

__all__ = [
    "NeedbridgeError",
    "NotFoundError",
    "InvalidInputError",
    "ForbiddenError",
    "ConflictError",
    "LimitReachedError",
    "IllegalStateError",
    "StorageError",
    "VersionNotSupportedError",
]


class NeedbridgeError(Exception):
    """Base class of every needbridge error.

    ``kind`` is the core's stable error kind (``"invalid"``, ``"not_found"``, ...) and
    ``details`` the error's fields as the core reported them.
    """

    kind: str = "needbridge"

    def __init__(self, message: str, details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Dict[str, Any] = dict(details or {})

    def user_message(self, language: str = "zh") -> str:
        """A sentence for the person using the portal or app, in Chinese (``"zh"``, the
        default) or English (``"en"``): what went wrong and what to do, from the error's data
        — the entity's name, the name of the field a person filled in, a state's label, a
        limit. It never holds the refused value, an id or personal data, so it may be shown
        as it is (``str(e)`` is for logs and developers). The wording is the core's, the same
        in every binding."""
        from . import _native

        payload = json.dumps({"kind": self.kind, **self.details}, default=str)
        text = _native.user_message(payload, language)
        if text is None:
            return "操作失败，请稍后重试。" if language == "zh" else "Something went wrong: try again later."
        return text


class NotFoundError(NeedbridgeError, LookupError):
    """The entity does not exist, or the actor may not know that it exists."""

    kind = "not_found"

    @property
    def entity(self) -> str:
        """The kind of entity, e.g. ``"need"``."""
        return str(self.details.get("entity", ""))

    @property
    def id(self) -> str:
        """The id that was not found, as text."""
        return str(self.details.get("id", ""))


class InvalidInputError(NeedbridgeError, ValueError):
    """An input value was refused; nothing was written."""

    kind = "invalid"

    @property
    def field(self) -> str:
        """The field, as named in the command (``"phone"``, ``"promised_by"``, ...)."""
        return str(self.details.get("field", ""))

    @property
    def reason(self) -> str:
        """Why it was refused."""
        return str(self.details.get("reason", ""))


class ForbiddenError(NeedbridgeError, PermissionError):
    """The actor may not do this."""

    kind = "forbidden"

    @property
    def reason(self) -> str:
        """What was refused, in general words."""
        return str(self.details.get("reason", ""))


class ConflictError(NeedbridgeError):
    """Someone else got there first (the need is already claimed); re-read and decide again."""

    kind = "conflict"

    @property
    def reason(self) -> str:
        """What conflicted."""
        return str(self.details.get("reason", ""))


class LimitReachedError(NeedbridgeError):
    """A configured limit would be exceeded."""

    kind = "limit_reached"

    @property
    def limit(self) -> str:
        """Which limit."""
        return str(self.details.get("limit", ""))

    @property
    def max(self) -> int:
        """Its configured value."""
        return int(self.details.get("max", 0))


class IllegalStateError(NeedbridgeError):
    """The transition is not allowed from the entity's current state."""

    kind = "illegal_state"

    @property
    def entity(self) -> str:
        """The kind of entity."""
        return str(self.details.get("entity", ""))

    @property
    def state(self) -> str:
        """Its current state."""
        return str(self.details.get("state", ""))

    @property
    def action(self) -> str:
        """What was attempted."""
        return str(self.details.get("action", ""))


class StorageError(NeedbridgeError, OSError):
    """The storage backend failed (I/O, corruption, a lost connection)."""

    kind = "storage"


class VersionNotSupportedError(NeedbridgeError):
    """A sync message of a protocol or schema version this needbridge does not speak (a newer
    app or portal): pause syncing — the app keeps its outbox — until one side is updated."""

    kind = "version_not_supported"

    @property
    def part(self) -> str:
        """Which version: ``protocol`` or ``schema``."""
        return str(self.details.get("part", ""))

    @property
    def version(self) -> int:
        """The message's version."""
        return int(self.details.get("version", 0))

    @property
    def supported(self) -> int:
        """The version this needbridge speaks (for ``schema``: the newest it reads)."""
        return int(self.details.get("supported", 0))


_BY_KIND: Dict[str, Type[NeedbridgeError]] = {
    c.kind: c
    for c in (
        NotFoundError,
        InvalidInputError,
        ForbiddenError,
        ConflictError,
        LimitReachedError,
        IllegalStateError,
        StorageError,
        VersionNotSupportedError,
    )
}

_MESSAGES = {
    "not_found": "{entity} {id} not found",
    "invalid": "invalid {field}: {reason}",
    "forbidden": "forbidden: {reason}",
    "conflict": "conflict: {reason}",
    "limit_reached": "limit reached: {limit} (at most {max})",
    "illegal_state": "illegal state: {entity} is {state}; cannot {action}",
    "storage": "storage: {message}",
    "version_not_supported": "version not supported: {part} {version} (this needbridge speaks {supported})",
}


def _from_core(payload: str) -> NeedbridgeError:
    """Builds the exception for a core error serialized as JSON (called by the native module)."""
    details: Dict[str, Any] = json.loads(payload)
    kind = str(details.pop("kind", ""))
    cls = _BY_KIND.get(kind, NeedbridgeError)
    try:
        message = _MESSAGES[kind].format(**details)
    except (KeyError, IndexError):
        message = kind
    return cls(message, details)


def _invalid(field: str, reason: str) -> InvalidInputError:
    """An :class:`InvalidInputError` raised by the Python layer before calling the core."""
    return InvalidInputError(
        f"invalid {field}: {reason}", {"field": field, "reason": reason}
    )
