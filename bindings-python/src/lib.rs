//! `needbridge._native`: the core's [`Hub`] for Python.
//!
//! Conversion only. Commands and reads take the package's Python values (keyword arguments,
//! `uuid.UUID`, timezone-aware `datetime`, enums, `Actor`) and turn them into the core's own
//! serde types; results come back as the package's typed records, built by a `Decoder`
//! the package derives from its annotations (`convert`). Errors are raised as the classes of
//! `needbridge.errors`, built from the core's serialized error. Every call releases the GIL
//! while the core works, so one `Hub` can serve many Python threads.
//!
//! Sync: the portal's side is on the `Hub` (`sync_push`, `sync_pull`: the protocol's bytes in
//! and out; `sync_rejected`); the app's side is the `Device` class (`sync.rs`).
#![forbid(unsafe_code)]

mod convert;
mod emit;
mod errors;
mod hub;
mod plan;
mod sync;

use convert::Decoder;
use errors::{raise, released};
use hub::PyHub;
use pyo3::types::PyDict;
use serde_json::{Map, Value};

use chrono::{DateTime, Utc};
use needbridge::command::Command;
use needbridge::export::{ExportOptions, Language, PersonalData, Values};
use needbridge::hub::{MemberScope, NeedQuery};
use needbridge::model::*;
use needbridge::report::{Period, ReportScope};
use needbridge::store::memory::MemoryStore;
use needbridge::store::postgres::PostgresStore;
use needbridge::store::sqlite::{SqliteOptions, SqliteStore, Synchronous};
use needbridge::store::{ActivityFilter, ClaimFilter, OfferFilter, Page, TeamFilter};
use needbridge::{Actor, Hub, HubConfig, Key, SystemClock};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::sync::Arc;

/// Reads a core type from arguments already converted to JSON values; `field` names the
/// value (`""`: the keyword arguments themselves). A mismatch is `Invalid` naming the path of
/// what did not fit and what is expected, never the value.
fn from_value<T: DeserializeOwned>(field: &str, v: Value) -> Result<T, needbridge::Error> {
    needbridge::args::from_value(field, v)
}

/// A SQLite key from Python: a `str` passphrase or 32 raw `bytes`; anything else, or a
/// refused key, is raised as `InvalidInputError` for `key` (never showing the value).
fn store_key(py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Key> {
    let key = if key.cast::<pyo3::types::PyString>().is_ok() {
        // A lone surrogate is `Invalid` for `key`, like in every other text argument.
        Key::passphrase(convert::text(key, "key")?)
    } else if let Ok(b) = key.cast::<PyBytes>() {
        Key::raw_slice(b.as_bytes())
    } else {
        Err(needbridge::Error::invalid(
            "key",
            "a str passphrase or 32 raw bytes",
        ))
    };
    key.map_err(|e| raise(py, e))
}

/// The arguments of each read, by name (see [`PyHub::ask`]): read from `{name: arguments}`,
/// the arguments' paths being their own names (`limit`, `statuses[1]`).
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Read {
    Unit {
        id: UnitId,
    },
    Units {
        #[serde(default)]
        parent: Option<UnitId>,
        #[serde(default)]
        kind: Option<UnitKind>,
    },
    WorkUnits {},
    Organisations {},
    Categories {},
    Member {
        id: MemberId,
    },
    Members {
        scope: MemberScope,
        #[serde(default)]
        statuses: Vec<MemberStatus>,
    },
    MembersWithoutTeam {
        committee: UnitId,
    },
    Certificates {
        work_unit: WorkUnitId,
    },
    Ledger {
        work_unit: WorkUnitId,
    },
    Resident {
        id: ResidentId,
    },
    Residents {
        unit: UnitId,
    },
    Need {
        id: NeedId,
    },
    Library(NeedQuery),
    Claim {
        id: ClaimId,
    },
    Claims(ClaimFilter),
    ClaimsOf {
        claimant: Claimant,
    },
    Team {
        id: TeamId,
    },
    Teams(TeamFilter),
    Activities {
        #[serde(default)]
        unit: Option<UnitId>,
        #[serde(default)]
        kind: Option<ActivityKind>,
        #[serde(default)]
        team: Option<TeamId>,
        #[serde(default)]
        held_from: Option<DateTime<Utc>>,
        #[serde(default)]
        held_before: Option<DateTime<Utc>>,
        #[serde(default)]
        after: Option<uuid::Uuid>,
        #[serde(default)]
        limit: Option<u32>,
    },
    HoursOf {
        member: MemberId,
    },
    HoursAt {
        unit: UnitId,
        #[serde(default)]
        status: Option<HoursStatus>,
    },
    Roles {
        unit: UnitId,
        #[serde(default)]
        current_only: bool,
    },
    Visits {
        pairing: PairingId,
    },
    Offers(OfferFilter),
    Households {
        unit: UnitId,
    },
    ServiceRecords {
        member: MemberId,
        #[serde(default)]
        since: Option<DateTime<Utc>>,
        #[serde(default)]
        until: Option<DateTime<Utc>>,
    },
    CheckServiceCertificate {
        number: String,
    },
    Corrections {
        unit: UnitId,
    },
    WorkingCalendar {},
    NeedsNear {
        unit: UnitId,
        point: GeoPoint,
        within_m: u32,
        #[serde(default)]
        limit: u32,
    },
    MembersWithSkill {
        unit: UnitId,
        skill: String,
    },
    Pairings {
        unit: UnitId,
        #[serde(default)]
        current_only: bool,
    },
    EventsSince {
        #[serde(default)]
        after: u64,
        #[serde(default = "default_limit")]
        limit: u32,
    },
    Report {
        scope: ReportScope,
        #[serde(default)]
        since: Option<DateTime<Utc>>,
        #[serde(default)]
        until: Option<DateTime<Utc>>,
    },
    WorkUnitLedger {
        work_unit: WorkUnitId,
        #[serde(default)]
        since: Option<DateTime<Utc>>,
        #[serde(default)]
        until: Option<DateTime<Utc>>,
        #[serde(default)]
        personal_data: PersonalData,
    },
    CommitteeLedger {
        unit: UnitId,
        #[serde(default)]
        since: Option<DateTime<Utc>>,
        #[serde(default)]
        until: Option<DateTime<Utc>>,
        #[serde(default)]
        personal_data: PersonalData,
    },
}

/// `[since, until)`, either end open.
fn period(since: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> Period {
    Period {
        from: since,
        to: until,
    }
}

fn default_limit() -> u32 {
    100
}

/// Answers `read` with the GIL released, then builds the answer by `out`.
fn answer<'py>(
    py: Python<'py>,
    hub: &Hub,
    actor: &Actor,
    read: Read,
    out: &Decoder,
) -> PyResult<Bound<'py, PyAny>> {
    let a = actor;
    macro_rules! answered {
        ($e:expr) => {
            out.build(py, &released(py, || $e)?)
        };
    }
    match read {
        Read::Unit { id } => answered!(hub.unit(a, id)),
        Read::Units { parent, kind } => answered!(hub.units(a, parent, kind)),
        Read::WorkUnits {} => answered!(hub.work_units(a)),
        Read::Organisations {} => answered!(hub.organisations(a)),
        Read::Categories {} => answered!(hub.categories()),
        Read::Member { id } => answered!(hub.member(a, id)),
        Read::Members { scope, statuses } => answered!(hub.members(a, scope, &statuses)),
        Read::MembersWithoutTeam { committee } => answered!(hub.members_without_team(a, committee)),
        Read::Certificates { work_unit } => answered!(hub.certificates(a, work_unit)),
        Read::Ledger { work_unit } => answered!(hub.ledger(a, work_unit)),
        Read::Resident { id } => answered!(hub.resident(a, id)),
        Read::Residents { unit } => answered!(hub.residents(a, unit)),
        Read::Need { id } => answered!(hub.need(a, id)),
        Read::Library(query) => answered!(hub.library(a, &query)),
        Read::Claim { id } => answered!(hub.claim(a, id)),
        Read::Claims(filter) => answered!(hub.claims(a, &filter)),
        Read::ClaimsOf { claimant } => answered!(hub.claims_of(a, claimant)),
        Read::Team { id } => answered!(hub.team(a, id)),
        Read::Teams(filter) => answered!(hub.teams(a, &filter)),
        Read::Activities {
            unit,
            kind,
            team,
            held_from,
            held_before,
            after,
            limit,
        } => {
            let filter = ActivityFilter {
                unit,
                kind,
                team,
                from: held_from,
                to: held_before,
            };
            answered!(hub.activities(a, &filter, Page { after, limit }))
        }
        Read::HoursOf { member } => answered!(hub.hours_of(a, member)),
        Read::HoursAt { unit, status } => answered!(hub.hours_at(a, unit, status)),
        Read::Roles { unit, current_only } => answered!(hub.roles(a, unit, current_only)),
        Read::Pairings { unit, current_only } => answered!(hub.pairings(a, unit, current_only)),
        Read::Visits { pairing } => answered!(hub.visits(a, pairing)),
        Read::Offers(filter) => answered!(hub.offers(a, &filter)),
        Read::Households { unit } => answered!(hub.households(a, unit)),
        Read::ServiceRecords {
            member,
            since,
            until,
        } => answered!(hub.service_records(a, member, period(since, until))),
        Read::CheckServiceCertificate { number } => {
            // None or one: a list the Python side unwraps.
            answered!(hub
                .check_service_certificate(a, &number)
                .map(|c| c.into_iter().collect::<Vec<_>>()))
        }
        Read::Corrections { unit } => answered!(hub.corrections(a, unit)),
        Read::WorkingCalendar {} => answered!(hub.working_calendar(a)),
        Read::NeedsNear {
            unit,
            point,
            within_m,
            limit,
        } => answered!(hub.needs_near(a, unit, point, within_m, limit)),
        Read::MembersWithSkill { unit, skill } => {
            answered!(hub.members_with_skill(a, unit, &skill))
        }
        Read::EventsSince { after, limit } => answered!(hub.events_since(a, after, limit)),
        Read::Report {
            scope,
            since,
            until,
        } => answered!(hub.report(a, scope, period(since, until))),
        Read::WorkUnitLedger {
            work_unit,
            since,
            until,
            personal_data,
        } => answered!(hub.work_unit_ledger(a, work_unit, period(since, until), personal_data)),
        Read::CommitteeLedger {
            unit,
            since,
            until,
            personal_data,
        } => answered!(hub.committee_ledger(a, unit, period(since, until), personal_data)),
    }
}

/// Which ledger to export, and how: the keyword arguments of `Hub.export_ledger` (one of
/// `work_unit` and `unit`, checked by the package).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Export {
    #[serde(default)]
    work_unit: Option<WorkUnitId>,
    #[serde(default)]
    unit: Option<UnitId>,
    #[serde(default)]
    since: Option<DateTime<Utc>>,
    #[serde(default)]
    until: Option<DateTime<Utc>>,
    #[serde(default)]
    language: Language,
    #[serde(default)]
    personal_data: PersonalData,
    /// The district report of this scope instead of a ledger.
    #[serde(default)]
    report: Option<ReportScope>,
    /// A service certificate (by its number) instead of a ledger.
    #[serde(default)]
    certificate: Option<String>,
    #[serde(default)]
    values: Values,
    #[serde(default = "china_standard_time")]
    utc_offset_minutes: i32,
}

fn china_standard_time() -> i32 {
    needbridge::export::CHINA_STANDARD_TIME
}

impl PyHub {
    /// Runs the read `f` on the core's Hub (refused once closed) with the GIL released.
    fn call<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Hub) -> Result<T, needbridge::Error> + Send,
    ) -> PyResult<T> {
        self.call_as(py, "read", f)
    }

    /// [`PyHub::call`], naming the `action` a closed Hub refuses.
    fn call_as<T: Send>(
        &self,
        py: Python<'_>,
        action: &str,
        f: impl FnOnce(&Hub) -> Result<T, needbridge::Error> + Send,
    ) -> PyResult<T> {
        let hub = self.hub(py, action)?;
        released(py, || f(&hub))
    }

    /// A command or read named `action` on `hub`: its keyword arguments converted by `read`
    /// into `T` (a refusal names the argument's path) and handed to `f` with the actor.
    fn convey<'py, T>(
        py: Python<'py>,
        hub: Arc<Hub>,
        actor: &Bound<'py, PyAny>,
        args: Option<&Bound<'py, PyDict>>,
        read: impl FnOnce(Map<String, Value>) -> Result<T, needbridge::Error>,
        f: impl FnOnce(&Hub, &Actor, T) -> PyResult<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let actor = convert::actor(actor)?;
        let args = convert::arguments(args)?;
        let what = read(args).map_err(|e| raise(py, e))?;
        f(&hub, &actor, what)
    }
}

/// SQLite's durability from Python: `"full"` (the default) or `"normal"`.
fn synchronous(py: Python<'_>, v: Option<&Bound<'_, PyAny>>) -> PyResult<Synchronous> {
    let Some(v) = v else {
        return Ok(Synchronous::default());
    };
    match convert::text(v, "synchronous")?.as_str() {
        "full" => Ok(Synchronous::Full),
        "normal" => Ok(Synchronous::Normal),
        _ => Err(errors::invalid(py, "synchronous", "must be full or normal")),
    }
}

/// The policies of a Hub from a `needbridge.HubConfig` (`None`: the core's defaults): each
/// attribute read as the core's type, a refusal naming `config.<attribute>`; the whole
/// checked by the core ([`HubConfig::validate`]).
fn hub_config(py: Python<'_>, v: Option<&Bound<'_, PyAny>>) -> PyResult<HubConfig> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(HubConfig::default());
    };
    let get = |name: &str| -> PyResult<(Bound<'_, PyAny>, String)> {
        let field = format!("config.{name}");
        match v.getattr(name) {
            Ok(x) => Ok((x, field)),
            Err(_) => Err(errors::invalid(
                py,
                &field,
                "is missing (pass a needbridge.HubConfig)",
            )),
        }
    };
    let number = |name: &str| -> PyResult<u32> {
        let (x, field) = get(name)?;
        if x.cast::<pyo3::types::PyBool>().is_ok() {
            return Err(errors::invalid(
                py,
                &field,
                "must be a whole number, not a bool",
            ));
        }
        convert::read(&x, &field)
    };
    let (warn, field) = get("warn_before")?;
    let micros: i64 = convert::micros_of_timedelta(&warn, &field)?;
    let config = HubConfig {
        max_open_claims_per_member: number("max_open_claims_per_member")?,
        warn_before: chrono::Duration::microseconds(micros),
        max_extensions: number("max_extensions")?,
        max_retries: number("max_retries")?,
        max_page: number("max_page")?,
    };
    config.validate().map_err(|e| raise(py, e))?;
    Ok(config)
}

/// A SQLite store for `Hub.open`: refuses a missing file unless `create` (so a typo in a path
/// does not become a new, empty database).
fn sqlite_store(
    path: &std::path::Path,
    key: Option<Key>,
    create: bool,
    options: SqliteOptions,
) -> Result<SqliteStore, needbridge::Error> {
    if !create && !path.is_file() {
        return Err(needbridge::Error::invalid(
            "path",
            "no database file there (Hub.open(path, create=True) creates one)",
        ));
    }
    match key {
        Some(key) => SqliteStore::open_encrypted_with(path, key, options),
        None => SqliteStore::open_with(path, options),
    }
}

#[pymethods]
impl PyHub {
    /// Opens an embedded SQLite database file (a missing one only with `create`), encrypted
    /// at rest with `key` when given (a `str` passphrase or 32 raw `bytes`), with
    /// `synchronous` durability (`"full"` or `"normal"`) and the policies of `config` (a
    /// `needbridge.HubConfig`, `None` for the defaults); with `read_only` every command is
    /// refused.
    #[staticmethod]
    #[pyo3(signature = (path, key=None, create=false, read_only=false, synchronous=None, config=None))]
    fn open(
        py: Python<'_>,
        path: std::path::PathBuf,
        key: Option<&Bound<'_, PyAny>>,
        create: bool,
        read_only: bool,
        synchronous: Option<&Bound<'_, PyAny>>,
        config: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        if read_only && create {
            return Err(errors::invalid(
                py,
                "create",
                "a read-only Hub cannot create a database",
            ));
        }
        let key = key.map(|k| store_key(py, k)).transpose()?;
        let options = SqliteOptions {
            synchronous: self::synchronous(py, synchronous)?,
            read_only,
            ..SqliteOptions::default()
        };
        let config = hub_config(py, config)?;
        released(py, || {
            let store = sqlite_store(&path, key, create, options)?;
            Hub::with(store, SystemClock, config)
        })
        .map(PyHub::new)
    }

    /// Changes the key of a closed encrypted database file.
    #[staticmethod]
    fn rekey(
        py: Python<'_>,
        path: std::path::PathBuf,
        old_key: &Bound<'_, PyAny>,
        new_key: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (old, new) = (store_key(py, old_key)?, store_key(py, new_key)?);
        released(py, || SqliteStore::rekey(&path, &old, &new))
    }

    /// Encrypts a closed plain database file in place.
    #[staticmethod]
    fn encrypt(py: Python<'_>, path: std::path::PathBuf, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = store_key(py, key)?;
        released(py, || SqliteStore::encrypt(&path, &key))
    }

    /// Decrypts a closed encrypted database file in place.
    #[staticmethod]
    fn decrypt(py: Python<'_>, path: std::path::PathBuf, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = store_key(py, key)?;
        released(py, || SqliteStore::decrypt(&path, &key))
    }

    /// A Hub over a fresh in-memory store (tests, notebooks), with the policies of `config`.
    #[staticmethod]
    #[pyo3(signature = (config=None))]
    fn in_memory(py: Python<'_>, config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let config = hub_config(py, config)?;
        released(py, || Hub::with(MemoryStore::new(), SystemClock, config)).map(PyHub::new)
    }

    /// Connects to PostgreSQL (a `postgresql://` URL or libpq key-value text), with the
    /// policies of `config`; with `read_only` every command is refused.
    #[staticmethod]
    #[pyo3(signature = (url, read_only=false, config=None))]
    fn connect_postgres(
        py: Python<'_>,
        url: &Bound<'_, PyAny>,
        read_only: bool,
        config: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let url = convert::text(url, "url")?;
        let config = hub_config(py, config)?;
        released(py, || {
            let hub = Hub::with(PostgresStore::connect(&url)?, SystemClock, config)?;
            Ok::<_, needbridge::Error>(if read_only { hub.into_read_only() } else { hub })
        })
        .map(PyHub::new)
    }

    /// `sqlite`, `postgres` or `memory` (also once closed).
    fn backend_name(&self) -> &'static str {
        self.backend()
    }

    /// Whether commands are refused (opened with `read_only`).
    #[getter]
    fn read_only(&self) -> bool {
        self.is_read_only()
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.is_closed()
    }

    /// Lets the database go: later calls raise `IllegalStateError` (`hub is closed`). The
    /// database is released once calls in flight on other threads and any sync `Device`
    /// opened on this Hub are done with it. Closing again does nothing; returns whether this
    /// call closed it.
    fn close(&self, py: Python<'_>) -> bool {
        self.release(py)
    }

    /// The policies in force: `(max_open_claims_per_member, warn_before in microseconds,
    /// max_extensions, max_retries, max_page)`.
    fn config(&self, py: Python<'_>) -> PyResult<(u32, i64, u32, u32, u32)> {
        let hub = self.hub(py, "read its config")?;
        let c = hub.config();
        let micros = c.warn_before.num_microseconds().unwrap_or(i64::MAX);
        Ok((
            c.max_open_claims_per_member,
            micros,
            c.max_extensions,
            c.max_retries,
            c.max_page,
        ))
    }

    /// The Hub's current time, RFC 3339.
    fn now(&self, py: Python<'_>) -> PyResult<String> {
        let hub = self.hub(py, "now")?;
        Ok(hub
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    }

    /// Runs the command named `command` (`claim_need`, …) with keyword arguments `fields` as
    /// `actor` (a `needbridge.Actor`); returns the record it wrote, built by `out`.
    #[pyo3(signature = (actor, command, fields, out))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        command: &str,
        fields: Option<&Bound<'py, PyDict>>,
        out: &Decoder,
    ) -> PyResult<Bound<'py, PyAny>> {
        let hub = self.hub(py, command)?;
        Self::convey(
            py,
            hub,
            actor,
            fields,
            |args| needbridge::args::command(command, args),
            |hub, actor, c: Command| {
                let record = released(py, || hub.execute(actor, c))?;
                out.build_content(py, &record)
            },
        )
    }

    /// Answers the read named `read` (`claim`, `library`, …) with keyword arguments `args` as
    /// `actor`; returns the answer built by `out`.
    #[pyo3(signature = (actor, read, args, out))]
    fn ask<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        read: &str,
        args: Option<&Bound<'py, PyDict>>,
        out: &Decoder,
    ) -> PyResult<Bound<'py, PyAny>> {
        let hub = self.hub(py, read)?;
        Self::convey(
            py,
            hub,
            actor,
            args,
            |args| {
                let mut named = Map::new();
                named.insert(read.to_string(), Value::Object(args));
                needbridge::args::from_value::<Read>("", Value::Object(named))
            },
            |hub, actor, r: Read| answer(py, hub, actor, r, out),
        )
    }

    /// Serves a sync push from `actor` (authenticated by the host): the request's bytes in,
    /// the response's bytes out; a malformed request is `Invalid` naming its part.
    fn sync_push<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        body: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let actor = convert::actor(actor)?;
        let body = convert::bytes(body, "body")?;
        let hub = self.hub(py, "sync_push")?;
        let answer = released(py, || needbridge::sync::serve_push(&hub, &actor, body))?;
        Ok(PyBytes::new(py, &answer))
    }

    /// Serves a sync pull from `actor`, as [`PyHub::sync_push`].
    fn sync_pull<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        body: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let actor = convert::actor(actor)?;
        let body = convert::bytes(body, "body")?;
        let answer = self.call_as(py, "sync_pull", |hub| {
            needbridge::sync::serve_pull(hub, &actor, body)
        })?;
        Ok(PyBytes::new(py, &answer))
    }

    /// The refused sync mutations pushed at committees within `unit`, for its staff; built by
    /// `out`.
    fn sync_rejected<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        unit: &Bound<'py, PyAny>,
        out: &Decoder,
    ) -> PyResult<Bound<'py, PyAny>> {
        let actor = convert::actor(actor)?;
        let unit: UnitId = convert::read(unit, "unit")?;
        let rejected = self.call_as(py, "sync_rejected", |hub| {
            needbridge::sync::rejected(hub, &actor, unit)
        })?;
        out.build(py, &rejected)
    }

    /// Warns about claims due soon, lapses overdue claims and expires stale needs; returns
    /// the counts, built by `out`.
    fn tick<'py>(&self, py: Python<'py>, out: &Decoder) -> PyResult<Bound<'py, PyAny>> {
        let hub = self.hub(py, "tick")?;
        let summary = released(py, || hub.tick())?;
        out.build(py, &summary)
    }

    /// The records of `kind` under `unit` as columns: a list of `(name, type, values)` with
    /// type `int`, `text`, `code` or `time` (times as microseconds since the epoch, UTC).
    fn frame<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        kind: String,
        unit: String,
        arrow: bool,
    ) -> PyResult<Vec<(String, &'static str, Bound<'py, PyAny>)>> {
        use needbridge::frame::{Column, FrameKind};
        use pyo3::types::PyBytes;
        let actor = convert::actor(actor)?;
        let frame = self.call_as(py, "frame", move |hub| {
            let kind: FrameKind = from_value("kind", Value::String(kind))?;
            let unit: UnitId = from_value("unit", Value::String(unit))?;
            hub.frame(&actor, kind, unit)
        })?;
        // Numbers travel as little-endian buffers (values, then one validity byte per row)
        // that numpy reads without a Python object per value; codes as `i32` codes into a
        // sorted list of categories (-1: missing); text as a list of `str`/`None`, or with
        // `arrow` as Arrow string buffers (i32 offsets, UTF-8 data, validity bitmap) that
        // pyarrow wraps without a Python object per value.
        // Buffers are written in place into the Python `bytes` objects (no second copy).
        fn numbers<'py, T>(
            py: Python<'py>,
            v: &[Option<T>],
            f: impl Fn(&T) -> i64,
        ) -> PyResult<Bound<'py, PyAny>> {
            let values = PyBytes::new_with(py, v.len() * 8, |b| {
                for (x, out) in v.iter().zip(b.chunks_exact_mut(8)) {
                    out.copy_from_slice(&x.as_ref().map_or(0, &f).to_le_bytes());
                }
                Ok(())
            })?;
            let valid = PyBytes::new_with(py, v.len(), |b| {
                for (x, out) in v.iter().zip(b.iter_mut()) {
                    *out = u8::from(x.is_some());
                }
                Ok(())
            })?;
            Ok((values, valid).into_pyobject(py)?.into_any())
        }
        let mut out = Vec::with_capacity(frame.columns.len());
        for (name, column) in frame.columns {
            let (ty, values) = match column {
                Column::Int(v) => ("int", numbers(py, &v, |x| *x)?),
                Column::Text(v) if arrow => {
                    // The core already packs text like Arrow: hand its buffers over.
                    if i32::try_from(v.data().len()).is_err() {
                        return Err(pyo3::exceptions::PyValueError::new_err(
                            "frame text column over 2 GiB",
                        ));
                    }
                    let offsets = PyBytes::new_with(py, v.offsets().len() * 4, |b| {
                        for (&o, out) in v.offsets().iter().zip(b.chunks_exact_mut(4)) {
                            out.copy_from_slice(&(o as i32).to_le_bytes());
                        }
                        Ok(())
                    })?;
                    let bitmap = PyBytes::new_with(py, v.len().div_ceil(8), |b| {
                        for (i, ok) in v.validity().iter().enumerate() {
                            if *ok {
                                b[i / 8] |= 1 << (i % 8);
                            }
                        }
                        Ok(())
                    })?;
                    let nulls = v.validity().iter().filter(|ok| !**ok).count();
                    (
                        "arrow_text",
                        (
                            offsets,
                            PyBytes::new(py, v.data().as_bytes()),
                            bitmap,
                            nulls,
                        )
                            .into_pyobject(py)?
                            .into_any(),
                    )
                }
                Column::Text(v) => (
                    "text",
                    v.iter().collect::<Vec<_>>().into_pyobject(py)?.into_any(),
                ),
                Column::Code(v) => {
                    // Few distinct codes: number them as met, then renumber in sorted order.
                    let mut seen: Vec<&str> = Vec::new();
                    let raw: Vec<i32> = v
                        .iter()
                        .map(|x| match x {
                            None => -1,
                            Some(s) => match seen.iter().position(|c| *c == s) {
                                Some(i) => i as i32,
                                None => {
                                    seen.push(s);
                                    seen.len() as i32 - 1
                                }
                            },
                        })
                        .collect();
                    let mut cats = seen.clone();
                    cats.sort_unstable();
                    let renum: Vec<i32> = seen
                        .iter()
                        .map(|c| cats.binary_search(c).map_or(-1, |i| i as i32))
                        .collect();
                    let codes = PyBytes::new_with(py, v.len() * 4, |b| {
                        for (&c, out) in raw.iter().zip(b.chunks_exact_mut(4)) {
                            let c = if c < 0 { -1 } else { renum[c as usize] };
                            out.copy_from_slice(&c.to_le_bytes());
                        }
                        Ok(())
                    })?;
                    ("code", (codes, cats).into_pyobject(py)?.into_any())
                }
                Column::Time(v) => ("time", numbers(py, &v, |t| t.timestamp_micros())?),
            };
            out.push((name, ty, values));
        }
        Ok(out)
    }

    /// A ledger as CSV text (`format` "csv") or XLSX bytes ("xlsx").
    fn export<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        what: &Bound<'py, PyDict>,
        format: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let actor = convert::actor(actor)?;
        let what = Value::Object(convert::arguments(Some(what))?);
        let format = convert::text(format, "format")?;
        let out = self.call(py, move |hub| {
            let what: Export = from_value("", what)?;
            let xlsx = match format.as_str() {
                "csv" => false,
                "xlsx" => true,
                _ => return Err(needbridge::Error::invalid("format", "must be csv or xlsx")),
            };
            let options = ExportOptions {
                language: what.language,
                personal_data: what.personal_data,
                values: what.values,
                utc_offset_minutes: what.utc_offset_minutes,
            };
            let period = period(what.since, what.until);
            if let Some(number) = what.certificate {
                let table = hub.service_certificate_table(&actor, &number, options)?;
                return if xlsx {
                    needbridge::export::to_xlsx_with(&[&table], &options).map(Ok)
                } else {
                    table.to_csv_with(&options).map(Err)
                };
            }
            if let Some(scope) = what.report {
                if !xlsx {
                    return Err(needbridge::Error::invalid(
                        "format",
                        "the report is exported as xlsx only",
                    ));
                }
                let tables = hub.report_tables(&actor, scope, period)?;
                let refs: Vec<_> = tables.iter().collect();
                return needbridge::export::to_xlsx_with(&refs, &options).map(Ok);
            }
            let table = match (what.work_unit, what.unit) {
                (Some(work_unit), None) => {
                    hub.work_unit_ledger_table(&actor, work_unit, period, options)?
                }
                (None, Some(unit)) => hub.committee_ledger_table(&actor, unit, period, options)?,
                _ => {
                    return Err(needbridge::Error::invalid(
                        "scope",
                        "give exactly one of unit and work_unit",
                    ))
                }
            };
            if xlsx {
                needbridge::export::to_xlsx_with(&[&table], &options).map(Ok)
            } else {
                table.to_csv_with(&options).map(Err)
            }
        })?;
        Ok(match out {
            Ok(bytes) => PyBytes::new(py, &bytes).into_any(),
            Err(text) => text.into_pyobject(py)?.into_any(),
        })
    }
}

/// Every code of one of the core's closed vocabularies (so the Python enums can be checked
/// against the core).
#[pyfunction]
fn codes(vocabulary: &str) -> PyResult<Vec<String>> {
    fn all<T: Copy>(v: &[T], f: fn(&T) -> &'static str) -> Vec<String> {
        v.iter().map(|x| f(x).to_string()).collect()
    }
    Ok(match vocabulary {
        "unit_kind" => all(UnitKind::ALL, UnitKind::as_str),
        "organisation_kind" => all(OrganisationKind::ALL, OrganisationKind::as_str),
        "member_status" => all(MemberStatus::ALL, MemberStatus::as_str),
        "certificate_state" => all(CertificateState::ALL, CertificateState::as_str),
        "resident_group" => all(ResidentGroup::ALL, ResidentGroup::as_str),
        "channel" => all(Channel::ALL, Channel::as_str),
        "scale" => all(Scale::ALL, Scale::as_str),
        "need_status" => all(NeedStatus::ALL, NeedStatus::as_str),
        "claim_status" => all(ClaimStatus::ALL, ClaimStatus::as_str),
        "team_kind" => all(TeamKind::ALL, TeamKind::as_str),
        "activity_kind" => all(ActivityKind::ALL, ActivityKind::as_str),
        "role_kind" => all(RoleKind::ALL, RoleKind::as_str),
        "hours_status" => all(HoursStatus::ALL, HoursStatus::as_str),
        "ledger_kind" => all(LedgerKind::ALL, LedgerKind::as_str),
        "feedback" => all(Feedback::ALL, Feedback::as_str),
        "helper_kind" => all(HelperKind::ALL, HelperKind::as_str),
        "offer_status" => all(OfferStatus::ALL, OfferStatus::as_str),
        "offer_source" => all(OfferSource::ALL, OfferSource::as_str),
        "every" => all(Every::ALL, Every::as_str),
        "service_source" => all(ServiceSource::ALL, ServiceSource::as_str),
        "correction_status" => all(CorrectionStatus::ALL, CorrectionStatus::as_str),
        "command" => {
            return Ok(Command::TYPE_NAMES
                .iter()
                .map(|n| needbridge::command::tag_of(n))
                .collect());
        }
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown vocabulary {other:?}"
            )))
        }
    })
}

/// `NeedbridgeError.user_message`: the core's sentence for people (`Error::user_message`)
/// for an error given as the core's JSON (`{"kind": "invalid", "field": …}`); `None` for
/// anything that is not one of the core's errors.
#[pyfunction]
fn user_message(error: &str, language: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    let text = convert::text(language, "language")?;
    let language: Language =
        from_value("language", Value::from(text)).map_err(|e| errors::raise(language.py(), e))?;
    Ok(serde_json::from_str::<needbridge::Error>(error)
        .ok()
        .map(|e| e.user_message(language)))
}

/// The native half of the `needbridge` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHub>()?;
    m.add_class::<Decoder>()?;
    m.add_class::<sync::PyDevice>()?;
    m.add_function(wrap_pyfunction!(codes, m)?)?;
    m.add_function(wrap_pyfunction!(user_message, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
