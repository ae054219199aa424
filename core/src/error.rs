//! The one error type a host sees, with kinds it can act on.
//!
//! Messages never carry residents' or members' personal data: they name entities by kind and
//! id, fields by name, and reasons in general words. Bindings map each kind to an exception
//! class (Python) or an error-enum case (Kotlin, Swift).

use serde::{Deserialize, Serialize};

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when a host calls needbridge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Error {
    /// The entity does not exist (or the actor may not know that it exists).
    #[error("{entity} {id} not found")]
    NotFound {
        /// The kind of entity, e.g. `need`.
        entity: String,
        /// Its id, as text.
        id: String,
    },
    /// An input value was refused; nothing was written.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field, as named in the command (`phone`, `promised_by`, `fulfilment.items[0].count`, …).
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// The actor may not do this.
    #[error("forbidden: {reason}")]
    Forbidden {
        /// What was refused, in general words.
        reason: String,
    },
    /// Someone else got there first (the need is already claimed, a concurrent write won);
    /// re-read and decide again.
    #[error("conflict: {reason}")]
    Conflict {
        /// What conflicted.
        reason: String,
    },
    /// A configured limit would be exceeded.
    #[error("limit reached: {limit} (at most {max})")]
    LimitReached {
        /// Which limit.
        limit: String,
        /// Its configured value.
        max: u64,
    },
    /// The transition is not allowed from the entity's current state.
    #[error("illegal state: {entity} is {state}; cannot {action}")]
    IllegalState {
        /// The kind of entity.
        entity: String,
        /// Its current state.
        state: String,
        /// What was attempted.
        action: String,
    },
    /// The storage backend failed (I/O, corruption, a lost connection).
    #[error("storage: {message}")]
    Storage {
        /// What the backend reported, without data values.
        message: String,
    },
    /// A sync message of a protocol or schema version this needbridge does not speak (a newer
    /// app or portal): sync pauses — the app keeps its outbox — until one side is updated.
    #[error("version not supported: {part} {version} (this needbridge speaks {supported})")]
    VersionNotSupported {
        /// Which version: `protocol` or `schema`.
        part: String,
        /// The message's version.
        version: u64,
        /// The version this needbridge speaks (for `schema`: the newest it reads).
        supported: u64,
    },
}

/// The kind of an [`Error`], without its details: what a host switches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// See [`Error::NotFound`].
    NotFound,
    /// See [`Error::Invalid`].
    Invalid,
    /// See [`Error::Forbidden`].
    Forbidden,
    /// See [`Error::Conflict`].
    Conflict,
    /// See [`Error::LimitReached`].
    LimitReached,
    /// See [`Error::IllegalState`].
    IllegalState,
    /// See [`Error::Storage`].
    Storage,
    /// See [`Error::VersionNotSupported`].
    VersionNotSupported,
}

impl Error {
    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::Forbidden { .. } => ErrorKind::Forbidden,
            Error::Conflict { .. } => ErrorKind::Conflict,
            Error::LimitReached { .. } => ErrorKind::LimitReached,
            Error::IllegalState { .. } => ErrorKind::IllegalState,
            Error::Storage { .. } => ErrorKind::Storage,
            Error::VersionNotSupported { .. } => ErrorKind::VersionNotSupported,
        }
    }

    /// An [`Error::Invalid`] for `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// An [`Error::NotFound`].
    pub fn not_found(entity: &str, id: impl std::fmt::Display) -> Self {
        Error::NotFound {
            entity: entity.to_string(),
            id: id.to_string(),
        }
    }

    /// An [`Error::Forbidden`].
    pub fn forbidden(reason: impl Into<String>) -> Self {
        Error::Forbidden {
            reason: reason.into(),
        }
    }

    /// An [`Error::Conflict`].
    pub fn conflict(reason: impl Into<String>) -> Self {
        Error::Conflict {
            reason: reason.into(),
        }
    }

    /// An [`Error::IllegalState`].
    pub fn illegal(entity: &str, state: impl std::fmt::Display, action: &str) -> Self {
        Error::IllegalState {
            entity: entity.to_string(),
            state: state.to_string(),
            action: action.to_string(),
        }
    }
}

/// What a storage backend reports to the [`Hub`](crate::Hub). Internal to the
/// store/hub boundary: the Hub retries [`StoreError::Serialization`] and turns the rest into
/// [`Error::Storage`] or [`Error::Conflict`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The transaction lost a race with a concurrent one (SQLSTATE 40001, SQLITE_BUSY);
    /// running the whole command again may succeed.
    #[error("serialization conflict: {0}")]
    Serialization(String),
    /// Any other backend failure.
    #[error("{0}")]
    Backend(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Serialization(m) => Error::Conflict { reason: m },
            StoreError::Backend(m) => Error::Storage { message: m },
        }
    }
}
