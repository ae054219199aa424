//! needbridge for Android and iOS (and Java on the JVM): the core's [`needbridge::Hub`]
//! through uniffi, as the Kotlin package `org.needbridge` and the Swift module `NeedBridge`.
//!
//! Conversion only: every record and vocabulary of the core has a mirror here (generated from
//! the core's description, `bindings/description.json`, into `records.rs`, with the core's
//! doc comments), with ids as text, times as timestamps (`java.time.Instant`, `Date`) and every
//! integer a signed 64-bit number, so plain Java can call the generated Kotlin. The
//! conversions are chosen by type (`convert.rs`); the `Hub` is in `hub.rs`, one method per
//! command (and `Command`, every command as a value) generated into `commands.rs`. Offline
//! work and sync: the app's side (`SyncDevice`) in `sync.rs`, the portal's (feature `portal`,
//! for the JVM) in `portal.rs`.

#[macro_use]
mod convert;
// Generated code: the core's doc comments on one line each, however long.
#[rustfmt::skip]
#[allow(clippy::too_many_arguments)]
mod commands;
mod hub;
mod message;
#[cfg(feature = "portal")]
mod portal;
#[rustfmt::skip]
mod records;
mod sync;

pub use commands::Command;
pub use convert::{Claimant, Pair, Uuid};
pub use hub::*;
pub use message::*;
#[cfg(feature = "portal")]
pub use portal::*;
pub use records::*;
pub use sync::*;

uniffi::setup_scaffolding!("needbridge");
