//! What the SQL backends share, by concern: records ↔ rows ([`codec`]), `Query` → `WHERE`
//! ([`query`]), the audit log ([`events`]), reports aggregated in SQL ([`report`]), frames
//! read into columns ([`frame`]), the report cells' table ([`cells`]) and what a write
//! transaction remembers ([`memo`]). The dialects differ
//! only in placeholders, column types and a few functions ([`dialect`]).

pub(crate) mod cells;
pub(crate) mod codec;
pub(crate) mod dialect;
pub(crate) mod events;
pub(crate) mod frame;
pub(crate) mod memo;
pub(crate) mod query;
pub(crate) mod report;

pub(crate) use codec::*;
pub(crate) use dialect::*;
pub(crate) use events::*;
pub(crate) use frame::*;
pub(crate) use query::*;
pub(crate) use report::*;
