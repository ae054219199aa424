//! The `Hub` object and what the app hands it besides records: actors, periods, reports,
//! change events and their listener, database keys; every read, and the encrypted-file
//! functions. The per-command methods are generated into `commands.rs`.

use crate::convert::{invalid, u32_of, Claimant, Pair, ToApp, ToCore, Uuid};
use crate::records::*;
use chrono::{DateTime, Utc};
use needbridge::model as m;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Who is acting: the app says who its user is; the core decides what they may do.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Actor {
    /// The app itself (imports, scheduled jobs): allowed everything.
    System,
    /// A district administrator.
    DistrictAdmin {
        /// The district.
        district: Uuid,
    },
    /// Staff of a unit (a committee, community or district office).
    CommitteeStaff {
        /// The unit.
        unit: Uuid,
    },
    /// The party secretary of a work unit.
    WorkUnitSecretary {
        /// The work unit.
        work_unit: Uuid,
    },
    /// An in-service party member.
    Member {
        /// The member.
        member: Uuid,
    },
    /// The contact person of an enterprise or social organisation.
    OrganisationContact {
        /// The organisation.
        organisation: Uuid,
    },
}

impl Actor {
    /// The core's actor (a `Result`, as every conversion into the core is one).
    pub(crate) fn into_core(self) -> Result<m::Actor, NeedbridgeError> {
        Ok(match self {
            Actor::System => m::Actor::System,
            Actor::DistrictAdmin { district } => m::Actor::DistrictAdmin {
                district: m::UnitId(district),
            },
            Actor::CommitteeStaff { unit } => m::Actor::CommitteeStaff {
                unit: m::UnitId(unit),
            },
            Actor::WorkUnitSecretary { work_unit } => m::Actor::WorkUnitSecretary {
                work_unit: m::WorkUnitId(work_unit),
            },
            Actor::Member { member } => m::Actor::Member {
                member: m::MemberId(member),
            },
            Actor::OrganisationContact { organisation } => m::Actor::OrganisationContact {
                organisation: m::OrganisationId(organisation),
            },
        })
    }
}

impl ToApp<Actor> for m::Actor {
    fn to_app(self) -> Actor {
        match self {
            m::Actor::System => Actor::System,
            m::Actor::DistrictAdmin { district } => Actor::DistrictAdmin {
                district: district.to_app(),
            },
            m::Actor::CommitteeStaff { unit } => Actor::CommitteeStaff {
                unit: unit.to_app(),
            },
            m::Actor::WorkUnitSecretary { work_unit } => Actor::WorkUnitSecretary {
                work_unit: work_unit.to_app(),
            },
            m::Actor::Member { member } => Actor::Member {
                member: member.to_app(),
            },
            m::Actor::OrganisationContact { organisation } => Actor::OrganisationContact {
                organisation: organisation.to_app(),
            },
        }
    }
}

/// A time range `[from, to)`; an absent end is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, uniffi::Record)]
pub struct Period {
    /// Start (inclusive).
    #[uniffi(default = None)]
    pub from: Option<SystemTime>,
    /// End (exclusive).
    #[uniffi(default = None)]
    pub to: Option<SystemTime>,
}

impl From<Period> for needbridge::report::Period {
    fn from(p: Period) -> Self {
        needbridge::report::Period {
            from: p.from.map(DateTime::<Utc>::from),
            to: p.to.map(DateTime::<Utc>::from),
        }
    }
}

/// A finished report: the figures and the names to show them with.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Report {
    /// When it was computed.
    pub generated_at: SystemTime,
    /// The figures.
    pub data: ReportData,
    /// Committee names by id (for `by_committee`).
    pub committee_names: HashMap<Uuid, String>,
    /// Grid names by id (for `by_grid`).
    pub grid_names: HashMap<Uuid, String>,
    /// Category labels by code: Chinese first, English second.
    pub category_names: HashMap<String, Pair>,
}

impl ToApp<Report> for needbridge::report::Report {
    fn to_app(self) -> Report {
        Report {
            generated_at: self.generated_at.to_app(),
            data: self.data.to_app(),
            committee_names: self.committee_names.to_app(),
            grid_names: self.grid_names.to_app(),
            category_names: self.category_names.to_app(),
        }
    }
}

/// A committed change, as listeners see it: what happened where, without personal data
/// (read the records it names with the Hub, as the user's actor, to show them).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChangeEvent {
    /// Gap-free sequence number of the change.
    pub seq: i64,
    /// What happened, e.g. `need_claimed`.
    pub kind: String,
    /// The committee it concerns, if any.
    pub committee: Option<Uuid>,
    /// When it was committed.
    pub at: SystemTime,
    /// Ids of the records it wrote.
    pub records: Vec<Uuid>,
}

/// Implemented by the app: told about every change this Hub commits, after the commit, on
/// the thread that made it (so possibly several threads at once). Keep it quick: refresh a
/// list, post a notification; do not write through the Hub from it.
#[uniffi::export(with_foreign)]
pub trait ChangeListener: Send + Sync {
    /// One committed change.
    fn on_change(&self, event: ChangeEvent);
}

fn change_event(e: &needbridge::Event) -> ChangeEvent {
    ChangeEvent {
        seq: i64::try_from(e.seq).unwrap_or(i64::MAX),
        kind: e.kind.clone(),
        committee: e.committee.map(|c| c.0),
        at: e.at.into(),
        records: e.changes.iter().map(|r| r.id()).collect(),
    }
}

/// A key that encrypts the database file at rest (SQLCipher: every page of the file and of
/// its WAL encrypted and authenticated). The app supplies it and keeps it; needbridge never
/// logs it nor puts it in an error.
#[derive(uniffi::Enum)]
pub enum DatabaseKey {
    /// A passphrase (not empty); the key is derived from it with PBKDF2, which costs tens of
    /// milliseconds on each connection opened.
    Passphrase {
        /// The passphrase.
        passphrase: String,
    },
    /// 32 random bytes, used as the key as they are (no derivation): keep them in the
    /// Android Keystore or the iOS Keychain.
    Raw {
        /// The 32 bytes.
        key: Vec<u8>,
    },
}

impl DatabaseKey {
    fn into_core(self) -> Result<needbridge::Key, NeedbridgeError> {
        Ok(match self {
            DatabaseKey::Passphrase { passphrase } => needbridge::Key::passphrase(passphrase)?,
            DatabaseKey::Raw { key } => {
                let key = zeroize::Zeroizing::new(key);
                needbridge::Key::raw_slice(&key)?
            }
        })
    }
}

/// Changes the key of the encrypted database file at `path` from `old_key` to `new_key`. The
/// database must be closed — no Hub open on it (`IllegalState` otherwise); a wrong `old_key`
/// is `Invalid` and changes nothing. The data is copied into a new file that replaces the old
/// one atomically.
#[uniffi::export]
pub fn rekey_database(
    path: String,
    old_key: DatabaseKey,
    new_key: DatabaseKey,
) -> Result<(), NeedbridgeError> {
    let (old, new) = (old_key.into_core()?, new_key.into_core()?);
    Ok(needbridge::store::sqlite::SqliteStore::rekey(
        path, &old, &new,
    )?)
}

/// Encrypts the plain database file at `path` in place with `key` (a closed database, as
/// [`rekey_database`]); open it afterwards with `Hub.openEncrypted`.
#[uniffi::export]
pub fn encrypt_database(path: String, key: DatabaseKey) -> Result<(), NeedbridgeError> {
    let key = key.into_core()?;
    Ok(needbridge::store::sqlite::SqliteStore::encrypt(path, &key)?)
}

/// Decrypts the encrypted database file at `path` in place into a plain one (a closed
/// database, as [`rekey_database`]).
#[uniffi::export]
pub fn decrypt_database(path: String, key: DatabaseKey) -> Result<(), NeedbridgeError> {
    let key = key.into_core()?;
    Ok(needbridge::store::sqlite::SqliteStore::decrypt(path, &key)?)
}

/// The one entry point: open one per database file and share it between threads.
#[derive(uniffi::Object)]
pub struct Hub {
    // Shared: a `SyncDevice` (sync.rs) drives the same core Hub.
    inner: Arc<needbridge::Hub>,
    listeners: Arc<Mutex<Vec<Arc<dyn ChangeListener>>>>,
}

impl Hub {
    fn wrap(inner: needbridge::Hub) -> Arc<Self> {
        let listeners: Arc<Mutex<Vec<Arc<dyn ChangeListener>>>> = Arc::default();
        let l = listeners.clone();
        inner.on_commit(move |e| {
            let ls: Vec<Arc<dyn ChangeListener>> =
                l.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if ls.is_empty() {
                return;
            }
            let event = change_event(e);
            for listener in ls {
                listener.on_change(event.clone());
            }
        });
        Arc::new(Hub {
            inner: Arc::new(inner),
            listeners,
        })
    }

    /// The core Hub, shared (a `SyncDevice` holds it too).
    pub(crate) fn core(&self) -> &Arc<needbridge::Hub> {
        &self.inner
    }

    pub(crate) fn run<C: needbridge::Execute>(
        &self,
        actor: Actor,
        command: C,
    ) -> Result<C::Output, NeedbridgeError> {
        Ok(self.inner.run(&actor.into_core()?, command)?)
    }
}

#[uniffi::export]
impl Hub {
    /// Opens (creating if missing) the SQLite database at `path` — on Android, a file in the
    /// app's files directory — and brings its schema up to date.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>, NeedbridgeError> {
        Ok(Self::wrap(needbridge::Hub::open(path)?))
    }

    /// Opens (creating if missing) the SQLite database at `path`, encrypted at rest with
    /// `key`, and brings its schema up to date. A new file is created encrypted. A wrong key,
    /// a key for a plain file, or `open` on an encrypted file is `Invalid` ("invalid key: …")
    /// and leaves the file exactly as it was. A plain file is encrypted with
    /// `encryptDatabase`.
    #[uniffi::constructor]
    pub fn open_encrypted(path: String, key: DatabaseKey) -> Result<Arc<Self>, NeedbridgeError> {
        Ok(Self::wrap(needbridge::Hub::open_encrypted(
            path,
            key.into_core()?,
        )?))
    }

    /// A Hub over a fresh in-memory store (tests, previews).
    #[uniffi::constructor]
    pub fn in_memory() -> Arc<Self> {
        Self::wrap(needbridge::Hub::in_memory())
    }

    /// Calls `listener` with every change this Hub commits from now on.
    pub fn add_listener(&self, listener: Arc<dyn ChangeListener>) {
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(listener);
    }

    /// `sqlite` or `memory`.
    pub fn backend_name(&self) -> String {
        self.inner.backend_name().to_string()
    }

    /// Warns about claims due soon, lapses overdue claims and expires stale needs (call it
    /// when the app resumes).
    pub fn tick(&self) -> Result<TickSummary, NeedbridgeError> {
        Ok(self.inner.tick()?.to_app())
    }

    /// One unit of the residence tree.
    pub fn unit(&self, actor: Actor, id: Uuid) -> Result<ResidenceUnit, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self.inner.unit(&a, m::UnitId(id))?.to_app())
    }

    /// Units, optionally the children of `parent` and/or of one `kind` (both may be left out).
    #[uniffi::method(default(parent = None, kind = None))]
    pub fn units(
        &self,
        actor: Actor,
        parent: Option<Uuid>,
        kind: Option<UnitKind>,
    ) -> Result<Vec<ResidenceUnit>, NeedbridgeError> {
        let a = actor.into_core()?;
        let parent = parent.map(m::UnitId);
        Ok(self
            .inner
            .units(&a, parent, kind.to_core("kind")?)?
            .to_app())
    }

    /// The needs taxonomy.
    pub fn categories(&self) -> Result<Vec<Category>, NeedbridgeError> {
        Ok(self.inner.categories()?.to_app())
    }

    /// Every registered work unit.
    pub fn work_units(&self, actor: Actor) -> Result<Vec<WorkUnit>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self.inner.work_units(&a)?.to_app())
    }

    /// Every enterprise and social organisation (contacts masked unless entitled).
    pub fn organisations(&self, actor: Actor) -> Result<Vec<Organisation>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self.inner.organisations(&a)?.to_app())
    }

    /// Members certified by a work unit (its secretary, district admins).
    pub fn work_unit_members(
        &self,
        actor: Actor,
        work_unit: Uuid,
    ) -> Result<Vec<Member>, NeedbridgeError> {
        let a = actor.into_core()?;
        let w = m::WorkUnitId(work_unit);
        let scope = needbridge::hub::MemberScope::WorkUnit(w);
        Ok(self.inner.members(&a, scope, &[])?.to_app())
    }

    /// Accepted members of a committee who are in none of its teams yet.
    pub fn members_without_team(
        &self,
        actor: Actor,
        committee: Uuid,
    ) -> Result<Vec<Member>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self
            .inner
            .members_without_team(&a, m::UnitId(committee))?
            .to_app())
    }

    /// A work unit's certificates and where each stands.
    pub fn certificates(
        &self,
        actor: Actor,
        work_unit: Uuid,
    ) -> Result<Vec<CertificateRow>, NeedbridgeError> {
        let a = actor.into_core()?;
        let w = m::WorkUnitId(work_unit);
        Ok(self.inner.certificates(&a, w)?.to_app())
    }

    /// The acceptances and returns sent back to a work unit.
    pub fn ledger(
        &self,
        actor: Actor,
        work_unit: Uuid,
    ) -> Result<Vec<LedgerEntry>, NeedbridgeError> {
        let a = actor.into_core()?;
        let w = m::WorkUnitId(work_unit);
        Ok(self.inner.ledger(&a, w)?.to_app())
    }

    /// A work unit's ledger (台账): one row per member it certified (phones masked).
    #[uniffi::method(default(period))]
    pub fn work_unit_ledger(
        &self,
        actor: Actor,
        work_unit: Uuid,
        period: Period,
    ) -> Result<Vec<MemberLedgerRow>, NeedbridgeError> {
        let a = actor.into_core()?;
        let w = m::WorkUnitId(work_unit);
        Ok(self
            .inner
            .work_unit_ledger(
                &a,
                w,
                period.into(),
                needbridge::export::PersonalData::Masked,
            )?
            .to_app())
    }

    /// The changes after sequence number `after` that the actor may read (at most `limit`),
    /// without personal data: for catching up after the app was closed.
    pub fn changes_since(
        &self,
        actor: Actor,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ChangeEvent>, NeedbridgeError> {
        let a = actor.into_core()?;
        let after = u64::try_from(after).map_err(|_| invalid("after", "must not be negative"))?;
        let events = self
            .inner
            .events_since(&a, after, u32_of(limit, "limit")?)?;
        Ok(events.iter().map(change_event).collect())
    }

    /// One member (phone and ID number masked unless the actor is entitled).
    pub fn member(&self, actor: Actor, id: Uuid) -> Result<Member, NeedbridgeError> {
        let a = actor.into_core()?;
        let id = m::MemberId(id);
        Ok(self.inner.member(&a, id)?.to_app())
    }

    /// Members reported to committees under `unit` (staff), optionally only some statuses.
    #[uniffi::method(default(statuses = []))]
    pub fn members(
        &self,
        actor: Actor,
        unit: Uuid,
        statuses: Vec<MemberStatus>,
    ) -> Result<Vec<Member>, NeedbridgeError> {
        let a = actor.into_core()?;
        let scope = needbridge::hub::MemberScope::Unit(m::UnitId(unit));
        let st: Vec<m::MemberStatus> = statuses.to_core("statuses")?;
        Ok(self.inner.members(&a, scope, &st)?.to_app())
    }

    /// One resident (personal data masked unless the actor is entitled).
    pub fn resident(&self, actor: Actor, id: Uuid) -> Result<Resident, NeedbridgeError> {
        let a = actor.into_core()?;
        let id = m::ResidentId(id);
        Ok(self.inner.resident(&a, id)?.to_app())
    }

    /// Residents held by committees under `unit`.
    pub fn residents(&self, actor: Actor, unit: Uuid) -> Result<Vec<Resident>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self.inner.residents(&a, m::UnitId(unit))?.to_app())
    }

    /// One need.
    pub fn need(&self, actor: Actor, id: Uuid) -> Result<Need, NeedbridgeError> {
        let a = actor.into_core()?;
        let id = m::NeedId(id);
        Ok(self.inner.need(&a, id)?.to_app())
    }

    /// One page of the project library under `unit`, optionally only some statuses, only one
    /// grid (网格); pass the page's `next` as `after` for the next page (`limit` 0 means 50).
    #[uniffi::method(default(
        unit = None,
        statuses = [],
        text = None,
        after = None,
        limit = 0,
        grid = None
    ))]
    // The query's fields as arguments, so that Kotlin and Swift callers name the ones they set.
    #[allow(clippy::too_many_arguments)]
    pub fn library(
        &self,
        actor: Actor,
        unit: Option<Uuid>,
        statuses: Vec<NeedStatus>,
        text: Option<String>,
        after: Option<Uuid>,
        limit: i64,
        grid: Option<Uuid>,
    ) -> Result<NeedPage, NeedbridgeError> {
        let a = actor.into_core()?;
        let q = needbridge::hub::NeedQuery {
            unit: unit.map(m::UnitId),
            grid: grid.map(m::UnitId),
            statuses: statuses.to_core("statuses")?,
            text,
            after: after.map(m::NeedId),
            limit: u32_of(limit, "limit")?,
            ..Default::default()
        };
        Ok(self.inner.library(&a, &q)?.to_app())
    }

    /// One claim.
    pub fn claim(&self, actor: Actor, id: Uuid) -> Result<Claim, NeedbridgeError> {
        let a = actor.into_core()?;
        let id = m::ClaimId(id);
        Ok(self.inner.claim(&a, id)?.to_app())
    }

    /// Claims of a need, or at committees under a unit, optionally only some statuses.
    #[uniffi::method(default(need = None, unit = None, statuses = []))]
    pub fn claims(
        &self,
        actor: Actor,
        need: Option<Uuid>,
        unit: Option<Uuid>,
        statuses: Vec<ClaimStatus>,
    ) -> Result<Vec<Claim>, NeedbridgeError> {
        let a = actor.into_core()?;
        let f = needbridge::store::ClaimFilter {
            need: need.map(m::NeedId),
            unit: unit.map(m::UnitId),
            statuses: statuses.to_core("statuses")?,
            ..Default::default()
        };
        Ok(self.inner.claims(&a, &f)?.to_app())
    }

    /// Offers of needs (派单; 支部安排) of a need, at committees under a unit, or made to one
    /// party ("offers to me"), optionally only some statuses — those the actor may know of.
    #[uniffi::method(default(need = None, unit = None, to = None, statuses = []))]
    pub fn offers(
        &self,
        actor: Actor,
        need: Option<Uuid>,
        unit: Option<Uuid>,
        to: Option<Claimant>,
        statuses: Vec<OfferStatus>,
    ) -> Result<Vec<Offer>, NeedbridgeError> {
        let a = actor.into_core()?;
        let f = needbridge::store::OfferFilter {
            need: need.map(m::NeedId),
            unit: unit.map(m::UnitId),
            to: to.map(|c| c.to_core("to")).transpose()?,
            statuses: statuses.to_core("statuses")?,
            ..Default::default()
        };
        Ok(self.inner.offers(&a, &f)?.to_app())
    }

    /// Households under `unit` (those who oversee it).
    pub fn households(&self, actor: Actor, unit: Uuid) -> Result<Vec<Household>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self.inner.households(&a, m::UnitId(unit))?.to_app())
    }

    /// Accepted members under `unit` who declared a skill containing `skill` (staff).
    pub fn members_with_skill(
        &self,
        actor: Actor,
        unit: Uuid,
        skill: String,
    ) -> Result<Vec<Member>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self
            .inner
            .members_with_skill(&a, m::UnitId(unit), &skill)?
            .to_app())
    }

    /// Claims held by one claimant (a member's "my claims").
    pub fn claims_of(
        &self,
        actor: Actor,
        claimant: Claimant,
    ) -> Result<Vec<Claim>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self
            .inner
            .claims_of(&a, claimant.to_core("claimant")?)?
            .to_app())
    }

    /// One team.
    pub fn team(&self, actor: Actor, id: Uuid) -> Result<Team, NeedbridgeError> {
        let a = actor.into_core()?;
        let id = m::TeamId(id);
        Ok(self.inner.team(&a, id)?.to_app())
    }

    /// Teams of committees under `unit`.
    pub fn teams(&self, actor: Actor, unit: Uuid) -> Result<Vec<Team>, NeedbridgeError> {
        let a = actor.into_core()?;
        let f = needbridge::store::TeamFilter {
            unit: Some(m::UnitId(unit)),
            ..Default::default()
        };
        Ok(self.inner.teams(&a, &f)?.to_app())
    }

    /// A member's logged hours.
    pub fn hours_of(&self, actor: Actor, member: Uuid) -> Result<Vec<Hours>, NeedbridgeError> {
        let a = actor.into_core()?;
        let id = m::MemberId(member);
        Ok(self.inner.hours_of(&a, id)?.to_app())
    }

    /// Hours logged at committees under `unit`, optionally of one status.
    #[uniffi::method(default(status = None))]
    pub fn hours_at(
        &self,
        actor: Actor,
        unit: Uuid,
        status: Option<HoursStatus>,
    ) -> Result<Vec<Hours>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self
            .inner
            .hours_at(&a, m::UnitId(unit), status.to_core("status")?)?
            .to_app())
    }

    /// Activities at committees under `unit` (one page of at most `limit`, 0 for the default).
    #[uniffi::method(default(limit = 0))]
    pub fn activities(
        &self,
        actor: Actor,
        unit: Uuid,
        limit: i64,
    ) -> Result<Vec<Activity>, NeedbridgeError> {
        let a = actor.into_core()?;
        let f = needbridge::store::ActivityFilter {
            unit: Some(m::UnitId(unit)),
            ..Default::default()
        };
        let page = needbridge::store::Page {
            after: None,
            limit: Some(u32_of(limit, "limit")?),
        };
        Ok(self.inner.activities(&a, &f, page)?.to_app())
    }

    /// Three-heads roles under `unit`.
    pub fn roles(
        &self,
        actor: Actor,
        unit: Uuid,
        current_only: bool,
    ) -> Result<Vec<Role>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self
            .inner
            .roles(&a, m::UnitId(unit), current_only)?
            .to_app())
    }

    /// Pairings under `unit`.
    pub fn pairings(
        &self,
        actor: Actor,
        unit: Uuid,
        current_only: bool,
    ) -> Result<Vec<Pairing>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self
            .inner
            .pairings(&a, m::UnitId(unit), current_only)?
            .to_app())
    }

    /// A member's volunteer service records (志愿服务记录) served in `period` (all time when
    /// left out): the member, their work unit's secretary and those over their committee.
    #[uniffi::method(default(period))]
    pub fn service_records(
        &self,
        actor: Actor,
        member: Uuid,
        period: Period,
    ) -> Result<Vec<ServiceRecord>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self
            .inner
            .service_records(&a, m::MemberId(member), period.into())?
            .to_app())
    }

    /// Checks a service certificate by its number against the store (anyone may); `null` for
    /// an unknown number.
    pub fn check_service_certificate(
        &self,
        actor: Actor,
        number: String,
    ) -> Result<Option<CertificateCheck>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self
            .inner
            .check_service_certificate(&a, &number)?
            .map(|c| c.to_app()))
    }

    /// Needs under `unit` within `within_m` metres of `point`, nearest first (those the actor
    /// may see; coarse for those who do not oversee the committee).
    #[uniffi::method(default(limit = 0))]
    pub fn needs_near(
        &self,
        actor: Actor,
        unit: Uuid,
        point: GeoPoint,
        within_m: i64,
        limit: i64,
    ) -> Result<Vec<NearNeed>, NeedbridgeError> {
        let a = actor.into_core()?;
        let p = point.to_core("point")?;
        let w = crate::convert::u32_of(within_m, "within_m")?;
        let l = crate::convert::u32_of(limit, "limit")?;
        Ok(self
            .inner
            .needs_near(&a, m::UnitId(unit), p, w, l)?
            .to_app())
    }

    /// Requests to correct service records at committees under `unit` (staff), or the
    /// member's own.
    pub fn corrections(
        &self,
        actor: Actor,
        unit: Uuid,
    ) -> Result<Vec<Correction>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self.inner.corrections(&a, m::UnitId(unit))?.to_app())
    }

    /// The working calendar's years, in year order (anyone): the public holidays and the
    /// weekend days worked instead, dates as ISO text (`2026-10-01`).
    pub fn working_calendar(&self, actor: Actor) -> Result<Vec<CalendarYear>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self.inner.working_calendar(&a)?.to_app())
    }

    /// A pairing's visit log: the hours its member logged as visits of it, in the order
    /// served (the member and those over the pairing's committee).
    pub fn visits(&self, actor: Actor, pairing: Uuid) -> Result<Vec<Hours>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self.inner.visits(&a, m::PairingId(pairing))?.to_app())
    }

    /// The district report for a unit subtree over `period` (all time when left out).
    #[uniffi::method(default(period))]
    pub fn report(
        &self,
        actor: Actor,
        unit: Uuid,
        period: Period,
    ) -> Result<Report, NeedbridgeError> {
        let a = actor.into_core()?;
        let scope = needbridge::report::ReportScope::Unit(m::UnitId(unit));
        Ok(self.inner.report(&a, scope, period.into())?.to_app())
    }

    /// A committee's ledger of needs with their latest claims (residents masked).
    #[uniffi::method(default(period))]
    pub fn committee_ledger(
        &self,
        actor: Actor,
        unit: Uuid,
        period: Period,
    ) -> Result<Vec<NeedLedgerRow>, NeedbridgeError> {
        let a = actor.into_core()?;
        Ok(self
            .inner
            .committee_ledger(
                &a,
                m::UnitId(unit),
                period.into(),
                needbridge::export::PersonalData::Masked,
            )?
            .to_app())
    }
}
