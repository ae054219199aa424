//! Offline work and sync, the app's side (docs/SYNC.md): [`SyncDevice`] over the core's
//! `needbridge::sync::Device`, with the records it answers. The protocol's messages cross as
//! bytes: the app's transport moves them. (The portal's side is `portal.rs`.) Conversion
//! only: every rule is the core's.

use crate::commands::{command_name, Command};
use crate::convert::{u32_of, ToApp, ToCore, Uuid};
use crate::hub::{Actor, Hub};
use crate::records::*;
use needbridge::sync as s;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// A record of any kind, as running a command returns it.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AnyRecord {
    /// A unit of the residence tree.
    ResidenceUnit {
        /// The unit.
        unit: ResidenceUnit,
    },
    /// A work unit.
    WorkUnit {
        /// The work unit.
        work_unit: WorkUnit,
    },
    /// An enterprise or social organisation.
    Organisation {
        /// The organisation.
        organisation: Organisation,
    },
    /// A category of the needs taxonomy.
    Category {
        /// The category.
        category: Category,
    },
    /// A member.
    Member {
        /// The member.
        member: Member,
    },
    /// An entry of a work unit's ledger.
    LedgerEntry {
        /// The entry.
        entry: LedgerEntry,
    },
    /// A resident.
    Resident {
        /// The resident.
        resident: Resident,
    },
    /// A need.
    Need {
        /// The need.
        need: Need,
    },
    /// A claim.
    Claim {
        /// The claim.
        claim: Claim,
    },
    /// A volunteer team.
    Team {
        /// The team.
        team: Team,
    },
    /// Logged service hours.
    Hours {
        /// The hours.
        hours: Hours,
    },
    /// A counted activity.
    Activity {
        /// The activity.
        activity: Activity,
    },
    /// A three-heads role.
    Role {
        /// The role.
        role: Role,
    },
    /// A pairing.
    Pairing {
        /// The pairing.
        pairing: Pairing,
    },
    /// An offer of a need.
    Offer {
        /// The offer.
        offer: Offer,
    },
    /// A household.
    Household {
        /// The household.
        household: Household,
    },
    /// A certificate of service records.
    ServiceCertificate {
        /// The certificate.
        certificate: ServiceCertificate,
    },
    /// A request to correct a service record.
    Correction {
        /// The request.
        correction: Correction,
    },
    /// A year of the working calendar.
    CalendarYear {
        /// The year's calendar.
        calendar: CalendarYear,
    },
}

impl ToApp<AnyRecord> for needbridge::Record {
    fn to_app(self) -> AnyRecord {
        use needbridge::Record as R;
        match self {
            R::Unit(r) => AnyRecord::ResidenceUnit { unit: r.to_app() },
            R::WorkUnit(r) => AnyRecord::WorkUnit {
                work_unit: r.to_app(),
            },
            R::Organisation(r) => AnyRecord::Organisation {
                organisation: r.to_app(),
            },
            R::Category(r) => AnyRecord::Category {
                category: r.to_app(),
            },
            R::Member(r) => AnyRecord::Member { member: r.to_app() },
            R::LedgerEntry(r) => AnyRecord::LedgerEntry { entry: r.to_app() },
            R::Resident(r) => AnyRecord::Resident {
                resident: r.to_app(),
            },
            R::Need(r) => AnyRecord::Need { need: r.to_app() },
            R::Claim(r) => AnyRecord::Claim { claim: r.to_app() },
            R::Team(r) => AnyRecord::Team { team: r.to_app() },
            R::Hours(r) => AnyRecord::Hours { hours: r.to_app() },
            R::Activity(r) => AnyRecord::Activity {
                activity: r.to_app(),
            },
            R::Role(r) => AnyRecord::Role { role: r.to_app() },
            R::Pairing(r) => AnyRecord::Pairing {
                pairing: r.to_app(),
            },
            R::Offer(r) => AnyRecord::Offer { offer: r.to_app() },
            R::Household(r) => AnyRecord::Household {
                household: r.to_app(),
            },
            R::ServiceCertificate(r) => AnyRecord::ServiceCertificate {
                certificate: r.to_app(),
            },
            R::Correction(r) => AnyRecord::Correction {
                correction: r.to_app(),
            },
            R::CalendarYear(r) => AnyRecord::CalendarYear {
                calendar: r.to_app(),
            },
        }
    }
}

impl ToApp<String> for s::ClientId {
    fn to_app(self) -> String {
        self.0.to_string()
    }
}

/// The kind of an error, without its details (what a refusal stored by the portal says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ErrorKind {
    /// See `NeedbridgeError.NotFound`.
    NotFound,
    /// See `NeedbridgeError.Invalid`.
    Invalid,
    /// See `NeedbridgeError.Forbidden`.
    Forbidden,
    /// See `NeedbridgeError.Conflict`.
    Conflict,
    /// See `NeedbridgeError.LimitReached`.
    LimitReached,
    /// See `NeedbridgeError.IllegalState`.
    IllegalState,
    /// See `NeedbridgeError.Storage`.
    Storage,
    /// See `NeedbridgeError.VersionNotSupported`.
    VersionNotSupported,
}

impl ToApp<ErrorKind> for needbridge::ErrorKind {
    fn to_app(self) -> ErrorKind {
        use needbridge::ErrorKind as K;
        match self {
            K::NotFound => ErrorKind::NotFound,
            K::Invalid => ErrorKind::Invalid,
            K::Forbidden => ErrorKind::Forbidden,
            K::Conflict => ErrorKind::Conflict,
            K::LimitReached => ErrorKind::LimitReached,
            K::IllegalState => ErrorKind::IllegalState,
            K::Storage => ErrorKind::Storage,
            K::VersionNotSupported => ErrorKind::VersionNotSupported,
        }
    }
}

record! {
    /// What applying a push response did.
    PushSummary = s::PushSummary {
        /// Mutations the portal applied.
        applied: i64,
        /// Mutations it refused (see `SyncDevice.rejected`).
        rejected: i64,
        /// The device's last mutation id with an outcome.
        last_applied: i64,
        /// The batch stopped on a failure of the portal: push again later.
        unavailable: bool,
    }
}

record! {
    /// What applying a pull response did.
    PullSummary = s::PullSummary {
        /// The portal answered `reset`: pull again (from a whole snapshot; the outbox is kept).
        reset: bool,
        /// The response answered another pull than the device's current one (a duplicate, or
        /// a late one): nothing was applied.
        stale: bool,
        /// Changes received.
        changes: i64,
        /// Another page follows: pull again.
        more: bool,
        /// The view now shows a whole state (false while a snapshot's pages are arriving).
        ready: bool,
        /// Newly refused mutations (see `SyncDevice.rejected`).
        rejected: i64,
        /// Pending mutations replayed on the new confirmed state.
        replayed: i64,
    }
}

record! {
    /// Where the device's sync stands, for the app's UI.
    SyncStatus = s::SyncStatus {
        /// The device's client id (made once per install and user, kept in its store).
        client: String,
        /// Mutations waiting to be pushed or confirmed.
        pending: i64,
        /// A push is in flight (`pushRequest` returns null until `applyPush` or `pushFailed`).
        in_flight: bool,
        /// Refused mutations not yet dismissed.
        rejected: i64,
        /// A whole state has been pulled (and no reset is waiting for its snapshot).
        ready: bool,
    }
}

/// A queued command the portal refused, with why and what it held: the member's note, the
/// evidence, the hours are not lost (kept until `SyncDevice.dismiss`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RejectedMutation {
    /// The mutation's id (per device, from 1): pass it to `dismiss`.
    pub id: i64,
    /// The command's name as the core names it (`claim_need`, `complete_claim`).
    pub command: String,
    /// When it was done, by the device's clock (recorded, never used to decide).
    pub at: SystemTime,
    /// The id the device made for the record the command creates (a claim, logged hours), if
    /// it creates one.
    pub new_id: Option<Uuid>,
    /// The refusal's kind (`Conflict`: someone else claimed the need first).
    pub kind: ErrorKind,
    /// The refused field, for `Invalid`.
    pub field: Option<String>,
    /// Why, in general words (the core's sentence, no personal data).
    pub reason: String,
    /// The queued command as JSON, as the core encodes it in a push
    /// (`{"command":"complete_claim","claim":"…","fulfilment":{…,"note":"…"}}`): to show
    /// what was done or to redo it.
    pub content: String,
}

pub(crate) fn rejected_mutation(mutation: s::Mutation, outcome: s::Outcome) -> RejectedMutation {
    let (kind, field, reason) = match outcome {
        s::Outcome::Rejected {
            kind,
            field,
            reason,
        } => (kind.to_app(), field, reason),
        // Only refusals are kept as rejected; an applied outcome has no reason.
        s::Outcome::Applied { .. } => (ErrorKind::Invalid, None, String::new()),
    };
    RejectedMutation {
        id: mutation.id.to_app(),
        command: command_name(&mutation.command).to_string(),
        at: mutation.at.to_app(),
        new_id: mutation.new_id,
        kind,
        field,
        reason,
        content: String::from_utf8(s::encode(&mutation.command)).unwrap_or_default(),
    }
}

impl ToApp<RejectedMutation> for s::RejectedMutation {
    fn to_app(self) -> RejectedMutation {
        rejected_mutation(self.mutation, self.outcome)
    }
}

/// Implemented by the app: told where sync stands after every change of it this device makes
/// (a command run, a push sent, answered or failed, a pull applied, a refusal dismissed), on
/// the calling thread. Keep it quick: refresh a badge or a list.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// The status after the change.
    fn on_sync(&self, status: SyncStatus);
}

/// The app's side of sync over the app's own `Hub` (a SQLite file on the phone): commands
/// run at once through the same rules and are queued in an outbox in the same transaction;
/// the app's transport sends `pushRequest()` and `pullRequest()` to the portal and hands the
/// answers to `applyPush` and `applyPull`. Push before pull; one push in flight at a time.
#[derive(uniffi::Object)]
pub struct SyncDevice {
    inner: s::Device,
    listeners: Mutex<Vec<Arc<dyn SyncListener>>>,
}

impl SyncDevice {
    /// Tells the listeners the status after a change (nothing when there are none).
    fn changed(&self) {
        let ls = self
            .listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if ls.is_empty() {
            return;
        }
        if let Ok(status) = self.inner.status() {
            let status: SyncStatus = status.to_app();
            for l in ls {
                l.on_sync(status.clone());
            }
        }
    }
}

#[uniffi::export]
impl SyncDevice {
    /// Sync for `actor` (the signed-in user) over the app's `hub`. The first time, makes the
    /// device's client id (kept in the store); a store that syncs for another actor is
    /// `Forbidden`. Finishes a rebase a crash interrupted.
    #[uniffi::constructor]
    pub fn new(hub: Arc<Hub>, actor: Actor) -> Result<Arc<Self>, NeedbridgeError> {
        let device = s::Device::open(hub.core().clone(), actor.into_core()?)?;
        Ok(Arc::new(SyncDevice {
            inner: device,
            listeners: Mutex::default(),
        }))
    }

    /// The device's client id.
    pub fn client_id(&self) -> String {
        self.inner.client().to_app()
    }

    /// Runs `command` as the device's actor: applied to the app's Hub at once through the
    /// same rules (a refusal throws, writes nothing and queues nothing) and queued in the
    /// outbox in the same transaction. Returns the record it wrote.
    pub fn execute(&self, command: Command) -> Result<AnyRecord, NeedbridgeError> {
        let record = self.inner.execute(command.to_core("command")?)?;
        self.changed();
        Ok(record.to_app())
    }

    /// The next push to send (the pending mutations the portal has not answered), or null
    /// when there is none or a push is in flight. Hand the answer to `applyPush`; call
    /// `pushFailed` when none came (or it could not be read).
    pub fn push_request(&self) -> Result<Option<Vec<u8>>, NeedbridgeError> {
        let request = self.inner.push_request()?;
        if request.is_some() {
            self.changed();
        }
        Ok(request.map(|r| s::encode(&r)))
    }

    /// The push in flight got no answer: the next `pushRequest` sends the same mutations
    /// again (the portal answers a retry from what it stored).
    pub fn push_failed(&self) {
        self.inner.push_failed();
        self.changed();
    }

    /// Takes the portal's answer to the push in flight: refusals are kept (`rejected`); the
    /// view changes with the next pull. An answer that is not a push response is `Invalid`
    /// naming the part (the push stays in flight: call `pushFailed`).
    pub fn apply_push(&self, response: Vec<u8>) -> Result<PushSummary, NeedbridgeError> {
        let response = s::decode_push_response(&response)?;
        let summary = self.inner.apply_push(&response)?;
        self.changed();
        Ok(summary.to_app())
    }

    /// The next pull to send (after the push), asking for at most `limit` changes (0: the
    /// portal's default).
    pub fn pull_request(&self, limit: i64) -> Result<Vec<u8>, NeedbridgeError> {
        let request = self.inner.pull_request(u32_of(limit, "limit")?)?;
        Ok(s::encode(&request))
    }

    /// Takes the portal's answer to a pull: the view becomes the portal's state with the
    /// still-pending mutations replayed on it; refusals are kept (`rejected`). Pull again
    /// while `more` (or after `reset`). An answer that is not a pull response is `Invalid`
    /// naming the part.
    pub fn apply_pull(&self, response: Vec<u8>) -> Result<PullSummary, NeedbridgeError> {
        let response = s::decode_pull_response(&response)?;
        let summary = self.inner.apply_pull(&response)?;
        self.changed();
        Ok(summary.to_app())
    }

    /// Where sync stands.
    pub fn status(&self) -> Result<SyncStatus, NeedbridgeError> {
        Ok(self.inner.status()?.to_app())
    }

    /// The mutations the portal refused, oldest first, with why and their content.
    pub fn rejected(&self) -> Result<Vec<RejectedMutation>, NeedbridgeError> {
        Ok(self.inner.rejected()?.to_app())
    }

    /// Forgets a refused mutation the app has shown (nothing when there is none).
    pub fn dismiss(&self, id: i64) -> Result<(), NeedbridgeError> {
        self.inner.dismiss(id.to_core("id")?)?;
        self.changed();
        Ok(())
    }

    /// Calls `listener` with the status after every change of sync this device makes.
    pub fn add_listener(&self, listener: Arc<dyn SyncListener>) {
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(listener);
    }
}
