//! # needbridge
//!
//! Residents' needs turned into work that volunteers claim, do and account for — the engine
//! behind "party-member service as projects" (党员服务项目化) as practised in Zhongshan
//! District, Liupanshui. Residents' committees collect needs into a project library;
//! in-service party members report to the committee where they live and claim needs;
//! volunteer teams and enterprises claim too; work is done, recorded, checked and counted.
//!
//! Everything goes through one [`Hub`]: it authorizes the [`Actor`], loads what the command
//! touches, asks the pure [`rules`], writes the result and appends an [`Event`] — in one
//! transaction of a [`Store`].
//!
//! ```
//! use needbridge::{Hub, Actor, model::*, command::*};
//! let hub = Hub::in_memory();
//! let district = hub.run(&Actor::System, CreateUnit {
//!     kind: UnitKind::District, name: "钟山区".into(), parent: None })?;
//! assert_eq!(district.path, vec![district.id]);
//! # Ok::<(), needbridge::Error>(())
//! ```
#![forbid(unsafe_code)]

#[cfg(feature = "args")]
pub mod args;
pub mod clock;
pub mod command;
#[cfg(feature = "describe")]
pub mod describe;
pub mod error;
pub mod event;
pub mod export;
pub mod frame;
pub mod hub;
pub mod ledger;
pub mod message;
pub mod model;
pub mod report;
pub mod rules;
pub mod service;
pub mod store;
#[cfg(feature = "sync")]
pub mod sync;
pub mod taxonomy;
#[cfg(feature = "testing")]
pub mod testing;

pub use clock::{Clock, ManualClock, SystemClock};
pub use command::{Command, Execute};
pub use error::{Error, ErrorKind, Result};
pub use event::Event;
pub use hub::{Hub, HubConfig, Origin, TickSummary};
pub use model::{Actor, Record};
#[cfg(feature = "sqlite")]
pub use store::sqlite::Key;
pub use store::Store;
