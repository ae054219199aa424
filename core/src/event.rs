//! The audit trail's entry: what every change appends, in the same transaction.

use crate::command::Command;
use crate::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One entry of the audit trail: appended by every change, in the same transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Event {
    /// uuid v7.
    pub id: EventId,
    /// Gap-free sequence number, from 1.
    pub seq: u64,
    /// When the change was committed (the Hub's clock).
    pub at: DateTime<Utc>,
    /// When it happened, when that differs from `at`: the device's time of a command an app
    /// queued offline and pushed later (see [`crate::Hub::execute_with`]). Recorded, never used
    /// to decide anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub happened_at: Option<DateTime<Utc>>,
    /// Who did it.
    pub actor: Actor,
    /// What happened, e.g. `need_claimed` (the command's event kind).
    pub kind: String,
    /// The committee the change concerns, when there is one: scopes who may read the event.
    pub committee: Option<UnitId>,
    /// The command, as received (validated and normalised).
    #[cfg_attr(
        feature = "describe",
        schemars(with = "serde_json::Map<String, serde_json::Value>")
    )]
    pub command: Command,
    /// Every record the change wrote, after the change: replaying these rebuilds the state.
    #[cfg_attr(
        feature = "describe",
        schemars(with = "Vec<serde_json::Map<String, serde_json::Value>>")
    )]
    pub changes: Vec<Record>,
}
