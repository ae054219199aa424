//! Offline work and sync (docs/SYNC.md, docs/adr/0012): an app's Hub works without signal and
//! queues what it does; the portal's Hub stays the authority.
//!
//! - The messages ([`PushRequest`], [`PushResponse`], [`PullRequest`], [`PullResponse`]) and
//!   their encoding: versioned JSON a host moves between an app and its portal however it
//!   likes. Every malformed, oversized or unsupported message is a typed [`Error`] naming the
//!   part of the message and what was expected, never a panic and never a piece of the
//!   message (a queued command can hold a resident's name).
//! - The portal's side ([`push`], [`pull`], [`rejected`]): each mutation in its own
//!   transaction with its outcome stored beside it; a scoped change feed, masked for the
//!   pulling actor, behind an opaque cookie.
//! - The app's side ([`Device`]): an outbox written in the same transaction as the command's
//!   local effect, the confirmed state kept apart from the pending mutations, rebased on
//!   every pull.
//!
//! Enabled by the `sync` feature.

mod device;
mod server;

pub use device::{Device, PullSummary, PushSummary, RejectedMutation, SyncStatus};
pub use server::{pull, push, rejected, serve_pull, serve_push, StoredRejection};

use crate::args;
use crate::command::Command;
use crate::error::{Error, ErrorKind};
use crate::model::{Kind, Record};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The protocol version this needbridge speaks.
pub const PROTOCOL: u32 = 1;

/// The largest message a decoder reads, in bytes (8 MiB: a day of door-to-door work is far
/// smaller; a larger body is refused before it is parsed).
pub const MAX_MESSAGE_BYTES: usize = 8 << 20;

/// The most mutations one push carries (an app with more sends several pushes).
pub const MAX_MUTATIONS: usize = 1000;

/// The version of what messages carry (commands and records). A portal takes messages of
/// this version or older (older commands are upcast) and refuses newer ones.
///
/// 2 (issue 18): new commands and records (households, offers, service certificates and
/// corrections, the working calendar), new fields of old ones (rosters, beneficiaries,
/// recurrence, places, grids), and a need whose `resident` is null (an institution's). An app
/// of schema 1 refuses a schema-2 answer as `VersionNotSupported` ("update the app") instead
/// of misreading it; its schema-1 pushes are read as they are, every field added since having
/// a default.
pub const SCHEMA: u32 = 2;

/// The version of the masking rules ([`crate::rules::privacy`]) a pull's records follow. A
/// cookie of another version answers `reset`: the app pulls its scope again, masked anew.
pub const POLICY: u32 = 1;

/// The most changes one pull returns (a page ends at a transaction boundary, so it may hold a
/// few more).
pub const MAX_PULL: u32 = 5000;

/// An app's identity for sync: a uuid v7 made once per install and signed-in user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(pub Uuid);

/// One queued command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    /// Per client, gap-free from 1, never renumbered.
    pub id: u64,
    /// When the command was issued, by the device's clock (recorded, never used to decide).
    pub at: DateTime<Utc>,
    /// The id (uuid v7) the device made for the record the command creates, so later queued
    /// commands can refer to it (see [`crate::Origin::id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_id: Option<Uuid>,
    /// The command as the Hub takes it.
    pub command: Command,
}

/// What an app sends to apply its queued mutations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PushRequest {
    /// The protocol version ([`PROTOCOL`]).
    pub protocol: u32,
    /// The sender's store schema version.
    pub schema: u32,
    /// The app.
    pub client: ClientId,
    /// The mutations, ids ascending by one.
    pub mutations: Vec<Mutation>,
}

/// What became of one mutation on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied: the event it appended.
    Applied {
        /// The event's sequence number.
        seq: u64,
    },
    /// Refused by the rules (claimed first by someone else, the right lost, an id taken): the
    /// client's last applied id advances all the same, so the queue goes on.
    Rejected {
        /// The error's kind.
        kind: ErrorKind,
        /// The field refused, for `Invalid`.
        field: Option<String>,
        /// Why, in general words.
        reason: String,
    },
}

impl Outcome {
    /// The stored outcome of a refusal: the error's kind, field and reason (an `Error`'s text
    /// never holds personal data).
    pub fn rejected(e: &Error) -> Outcome {
        let (field, reason) = match e {
            Error::Invalid { field, reason } => (Some(field.clone()), reason.clone()),
            other => (None, other.to_string()),
        };
        Outcome::Rejected {
            kind: e.kind(),
            field,
            reason,
        }
    }
}

/// The outcome of one mutation, by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutationOutcome {
    /// The mutation's id.
    pub id: u64,
    /// What became of it.
    pub outcome: Outcome,
}

/// The server's answer to a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The protocol version ([`PROTOCOL`]).
    pub protocol: u32,
    /// The portal's message schema ([`SCHEMA`]).
    pub schema: u32,
    /// The portal store's epoch (a uuid v7 made when it first served sync, again after a
    /// restore): later epochs are greater. An app drops an answer from an older epoch, and
    /// learns from a newer one whether the portal lost its history.
    pub epoch: Uuid,
    /// The client's last mutation id with an outcome.
    pub last_applied: u64,
    /// The outcomes of this push's mutations, and the stored ones of retried mutations.
    pub outcomes: Vec<MutationOutcome>,
    /// Set when an infrastructure failure stopped the batch: push again later from
    /// `last_applied + 1`.
    pub unavailable: Option<String>,
}

/// What an app sends to bring its view up to date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PullRequest {
    /// The protocol version ([`PROTOCOL`]).
    pub protocol: u32,
    /// The sender's message schema ([`SCHEMA`]).
    pub schema: u32,
    /// The app.
    pub client: ClientId,
    /// The cookie of the last pull applied (`None`: the app has nothing yet, or was reset).
    pub cookie: Option<String>,
    /// The most changes wanted (0: the portal's default; at most [`MAX_PULL`]).
    pub limit: u32,
    /// The app's first still-pending mutation: the response carries the outcomes from there.
    pub pending_from: Option<u64>,
}

/// One change of a pull: a record to keep (masked for the pulling actor), or one that is gone
/// from the app's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)] // records are the common case; boxing them costs more
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// Keep this record as it is (replacing any of that kind and id).
    Put {
        /// The record.
        record: Record,
    },
    /// Drop this record: it left the scope, or the app may no longer know of it.
    Gone {
        /// Its kind.
        kind: Kind,
        /// Its id.
        id: Uuid,
    },
}

/// The portal's answer to a pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// The protocol version ([`PROTOCOL`]).
    pub protocol: u32,
    /// The portal's message schema ([`SCHEMA`]).
    pub schema: u32,
    /// The portal store's epoch (see [`PushResponse::epoch`]).
    pub epoch: Uuid,
    /// The cookie was unknown, or the portal's epoch (a restore), the scope or the masking
    /// policy changed: the app drops its confirmed state (never its outbox) and pulls again
    /// without a cookie. Nothing else in the response counts.
    pub reset: bool,
    /// The request's cookie, which this answers: an app drops an answer to another cookie (a
    /// duplicated or late response).
    pub after: Option<String>,
    /// Pass with the next pull.
    pub cookie: Option<String>,
    /// This page belongs to a complete snapshot of the scope (a first sync): the app shows it
    /// only when whole, after the page with `more` false.
    pub snapshot: bool,
    /// The client's last mutation id with an outcome on the portal.
    pub last_applied: u64,
    /// The outcomes of the client's mutations from the request's `pending_from`.
    pub outcomes: Vec<MutationOutcome>,
    /// The changes, in the portal's commit order, whole transactions.
    pub changes: Vec<Change>,
    /// Another page follows: pull again with `cookie`.
    pub more: bool,
}

/// What the server does with one mutation of a push ([`plan_push`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Already applied or rejected: answer with the stored outcome of mutation `id` (a retry).
    Replay {
        /// The mutation's id.
        id: u64,
    },
    /// Run the mutation at this index of the request through the Hub, in its own
    /// transaction, and store its outcome (applied or rejected) with the client's new last id.
    Apply {
        /// The mutation's index in the request.
        index: usize,
    },
    /// The batch skips ids: stop here (nothing from here on is applied); the app pushes again
    /// from `expected`.
    Gap {
        /// The id the server expects next.
        expected: u64,
    },
}

/// The server's plan for a push from a client whose last applied mutation id is
/// `last_applied` (pure; the Hub carries it out): mutations at or below it are replayed from
/// their stored outcomes, the next ones applied in order if the first of them is exactly
/// `last_applied + 1`, and a gap stops the batch. Mutation ids within a decoded request follow
/// each other by one ([`decode_push_request`]).
pub fn plan_push(last_applied: u64, request: &PushRequest) -> Vec<Step> {
    let mut steps = Vec::with_capacity(request.mutations.len());
    let mut expected = last_applied.saturating_add(1);
    for (index, m) in request.mutations.iter().enumerate() {
        if m.id <= last_applied {
            steps.push(Step::Replay { id: m.id });
        } else if m.id == expected {
            steps.push(Step::Apply { index });
            expected = expected.saturating_add(1);
        } else {
            steps.push(Step::Gap { expected });
            break;
        }
    }
    steps
}

/// A push request from the bytes a host received: refused with `Invalid` naming the part
/// (`message`, `protocol`, `mutations[3].id`, `mutations[0].command.promised_by`, …) when it
/// is larger than [`MAX_MESSAGE_BYTES`], not JSON, of another protocol version, or not a
/// push; mutation ids must follow each other by one.
pub fn decode_push_request(bytes: &[u8]) -> Result<PushRequest, Error> {
    let mut body = message(bytes)?;
    let protocol = version(&mut body)?;
    let schema = schema(&mut body)?;
    let client = field::<ClientId>(&mut body, "client")?;
    let Some(Value::Array(list)) = body.remove("mutations") else {
        return Err(Error::invalid("mutations", "must be a list of mutations"));
    };
    if list.len() > MAX_MUTATIONS {
        return Err(Error::invalid(
            "mutations",
            format!("at most {MAX_MUTATIONS} in one push"),
        ));
    }
    let mut mutations: Vec<Mutation> = Vec::with_capacity(list.len());
    for (i, m) in list.into_iter().enumerate() {
        let at = |part: &str| format!("mutations[{i}].{part}");
        let Value::Object(mut m) = m else {
            return Err(Error::invalid(
                format!("mutations[{i}]"),
                "must be an object",
            ));
        };
        let id: u64 = args::from_value(&at("id"), m.remove("id").unwrap_or(Value::Null))?;
        if id == 0 {
            return Err(Error::invalid(at("id"), "must be 1 or more"));
        }
        if let Some(prev) = mutations.last() {
            if Some(id) != prev.id.checked_add(1) {
                return Err(Error::invalid(
                    at("id"),
                    "must follow the previous mutation's id by one",
                ));
            }
        }
        let when: DateTime<Utc> =
            args::from_value(&at("at"), m.remove("at").unwrap_or(Value::Null))?;
        let new_id: Option<Uuid> =
            args::from_value(&at("new_id"), m.remove("new_id").unwrap_or(Value::Null))?;
        if new_id.is_some_and(|u| u.get_version_num() != 7) {
            return Err(Error::invalid(at("new_id"), "must be a uuid v7"));
        }
        let command = command(m.remove("command"), &at("command"))?;
        mutations.push(Mutation {
            id,
            at: when,
            new_id,
            command,
        });
    }
    Ok(PushRequest {
        protocol,
        schema,
        client,
        mutations,
    })
}

/// A pull request from the bytes a host received (see [`decode_push_request`] for the
/// refusals); `limit` above [`MAX_PULL`] is refused.
pub fn decode_pull_request(bytes: &[u8]) -> Result<PullRequest, Error> {
    let mut body = message(bytes)?;
    let protocol = version(&mut body)?;
    let schema = schema(&mut body)?;
    let client = field::<ClientId>(&mut body, "client")?;
    let cookie = field::<Option<String>>(&mut body, "cookie")?;
    if cookie.as_ref().is_some_and(|c| c.len() > 1024) {
        return Err(Error::invalid("cookie", "longer than 1024 bytes"));
    }
    let limit = field::<Option<u32>>(&mut body, "limit")?.unwrap_or(0);
    if limit > MAX_PULL {
        return Err(Error::invalid("limit", format!("at most {MAX_PULL}")));
    }
    let pending_from = field::<Option<u64>>(&mut body, "pending_from")?;
    Ok(PullRequest {
        protocol,
        schema,
        client,
        cookie,
        limit,
        pending_from,
    })
}

/// A pull response from the bytes an app received (see [`decode_push_request`] for the
/// refusals).
pub fn decode_pull_response(bytes: &[u8]) -> Result<PullResponse, Error> {
    let mut body = message(bytes)?;
    version(&mut body)?;
    let s = schema(&mut body)?;
    body.insert("protocol".into(), Value::from(PROTOCOL));
    body.insert("schema".into(), Value::from(s));
    args::from_value("", Value::Object(body))
}

/// A push response from the bytes an app received (see [`decode_push_request`] for the
/// refusals).
pub fn decode_push_response(bytes: &[u8]) -> Result<PushResponse, Error> {
    let mut body = message(bytes)?;
    version(&mut body)?;
    let s = schema(&mut body)?;
    body.insert("protocol".into(), Value::from(PROTOCOL));
    body.insert("schema".into(), Value::from(s));
    args::from_value("", Value::Object(body))
}

/// A message as JSON: its bytes, size-checked and parsed into an object.
fn message(bytes: &[u8]) -> Result<Map<String, Value>, Error> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(Error::invalid(
            "message",
            format!("larger than {MAX_MESSAGE_BYTES} bytes"),
        ));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(body)) => Ok(body),
        Ok(_) => Err(Error::invalid("message", "must be a JSON object")),
        // serde_json's own message may quote the input: only say what is wrong.
        Err(_) => Err(Error::invalid("message", "is not JSON (UTF-8)")),
    }
}

/// The message's protocol version, which must be [`PROTOCOL`] (else `VersionNotSupported`).
fn version(body: &mut Map<String, Value>) -> Result<u32, Error> {
    let v = field::<u32>(body, "protocol")?;
    if v != PROTOCOL {
        return Err(Error::VersionNotSupported {
            part: "protocol".into(),
            version: u64::from(v),
            supported: u64::from(PROTOCOL),
        });
    }
    Ok(v)
}

/// The message's schema, which must be from 1 to [`SCHEMA`] (older ones are upcast; else
/// `VersionNotSupported`).
fn schema(body: &mut Map<String, Value>) -> Result<u32, Error> {
    let v = field::<u32>(body, "schema")?;
    if v == 0 || v > SCHEMA {
        return Err(Error::VersionNotSupported {
            part: "schema".into(),
            version: u64::from(v),
            supported: u64::from(SCHEMA),
        });
    }
    Ok(v)
}

/// A top-level field of a message, read by the path-aware reader.
fn field<T: serde::de::DeserializeOwned>(
    body: &mut Map<String, Value>,
    name: &str,
) -> Result<T, Error> {
    args::from_value(name, body.remove(name).unwrap_or(Value::Null))
}

/// A queued command: an object with its snake_case name under `command` and its fields
/// (`Command`'s own serde form), read by the path-aware reader, paths prefixed with `at`.
fn command(v: Option<Value>, at: &str) -> Result<Command, Error> {
    let Some(Value::Object(mut fields)) = v else {
        return Err(Error::invalid(at, "must be a command object"));
    };
    let Some(Value::String(name)) = fields.remove("command") else {
        return Err(Error::invalid(
            format!("{at}.command"),
            "must name the command",
        ));
    };
    args::command(&name, fields).map_err(|e| match e {
        Error::Invalid { field, reason } if field.is_empty() => Error::Invalid {
            field: at.to_string(),
            reason,
        },
        Error::Invalid { field, reason } if field == "command" => Error::Invalid {
            field: format!("{at}.command"),
            reason,
        },
        Error::Invalid { field, reason } => Error::Invalid {
            field: format!("{at}.{field}"),
            reason,
        },
        other => other,
    })
}

/// Sync's bookkeeping in the side table could not be read back (written by another version,
/// or edited by hand).
fn bad_bookkeeping() -> Error {
    Error::Storage {
        message: "sync bookkeeping in the side table is not readable".into(),
    }
}

/// A side-table value read back.
fn from_json<T: serde::de::DeserializeOwned>(v: &str) -> Result<T, Error> {
    serde_json::from_str(v).map_err(|_| bad_bookkeeping())
}

/// A side-table value (serializing sync's own types cannot fail).
fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Every entry of a side-table space, in key order.
fn scan_all(tx: &mut dyn crate::store::Tx, space: &str) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let batch = tx.side_scan(space, after.as_deref(), 1000)?;
        let Some((last, _)) = batch.last() else { break };
        after = Some(last.clone());
        out.extend(batch);
    }
    Ok(out)
}

/// Removes every entry of a side-table space.
fn clear(tx: &mut dyn crate::store::Tx, space: &str) -> Result<(), Error> {
    for (k, _) in scan_all(tx, space)? {
        tx.side_delete(space, &k)?;
    }
    Ok(())
}

/// Whether an error is the infrastructure's — the store failed, or concurrent changes outlasted
/// the retries: worth trying again later — rather than the rules refusing for good.
fn retryable(e: &Error) -> bool {
    match e {
        Error::Storage { .. } => true,
        Error::Conflict { reason } => reason.starts_with(crate::hub::GAVE_UP),
        _ => false,
    }
}

/// The bytes of a message (JSON, UTF-8).
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    // Serializing these types cannot fail: maps have string keys, no value is a float NaN.
    serde_json::to_vec(message).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ClaimNeed;
    use crate::model::{Claimant, MemberId, NeedId};
    use proptest::prelude::*;

    fn push() -> PushRequest {
        let t = Utc::now();
        PushRequest {
            protocol: PROTOCOL,
            schema: SCHEMA,
            client: ClientId(Uuid::now_v7()),
            mutations: (1..=3)
                .map(|id| Mutation {
                    id,
                    at: t,
                    new_id: None,
                    command: Command::from(ClaimNeed {
                        need: NeedId::new(),
                        claimant: Claimant::Member(MemberId::new()),
                        promised_by: t,
                    }),
                })
                .collect(),
        }
    }

    #[test]
    fn a_push_round_trips() {
        let p = push();
        let back = decode_push_request(&encode(&p)).unwrap();
        assert_eq!(back.client, p.client);
        assert_eq!(back.mutations.len(), 3);
        // Times pass through RFC 3339 text: compare the commands as encoded.
        assert_eq!(encode(&back), encode(&p));
        let r = PushResponse {
            protocol: PROTOCOL,
            schema: SCHEMA,
            epoch: Uuid::now_v7(),
            last_applied: 3,
            outcomes: vec![
                MutationOutcome {
                    id: 2,
                    outcome: Outcome::Applied { seq: 41 },
                },
                MutationOutcome {
                    id: 3,
                    outcome: Outcome::rejected(&Error::conflict("need already claimed")),
                },
            ],
            unavailable: None,
        };
        assert_eq!(decode_push_response(&encode(&r)).unwrap(), r);
    }

    /// A push from an app of schema 1 (before issue 18): a draft without the fields added
    /// since is read with their defaults.
    #[test]
    fn schema_1_pushes_are_read_with_defaults() {
        let draft = crate::command::DraftNeed {
            committee: crate::model::UnitId::new(),
            grid: None,
            resident: Some(crate::model::ResidentId::new()),
            institution: None,
            title: "书包".into(),
            description: "开学".into(),
            category: "study_supplies".into(),
            channel: crate::model::Channel::Family,
            scale: crate::model::Scale::Individual,
            estimated_cost_fen: 8_000,
            wanted_by: Utc::now(),
            beneficiaries: Vec::new(),
            recurrence: None,
            place: None,
            location: None,
        };
        let mut p = push();
        p.mutations.truncate(1);
        p.mutations[0].command = Command::from(draft.clone());
        let mut v: Value = serde_json::from_slice(&encode(&p)).unwrap();
        v["schema"] = Value::from(1);
        let old = v["mutations"][0]["command"].as_object_mut().unwrap();
        for added in [
            "institution",
            "beneficiaries",
            "recurrence",
            "place",
            "location",
        ] {
            assert!(old.remove(added).is_some(), "{added}");
        }
        let back = decode_push_request(&serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(back.schema, 1);
        match &back.mutations[0].command {
            Command::DraftNeed(d) => {
                assert_eq!(encode(d), encode(&draft), "the added fields default");
            }
            other => panic!("read as {other:?}"),
        }
    }

    fn refusal(bytes: &[u8]) -> (String, String) {
        match decode_push_request(bytes) {
            Err(Error::Invalid { field, reason }) => (field, reason),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    fn with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
        let mut v: Value = serde_json::from_slice(&encode(&push())).unwrap();
        edit(&mut v);
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn bad_messages_name_the_part_and_never_echo_it() {
        let secret = "张秀英13912345678";
        assert_eq!(refusal(b"not json").0, "message");
        assert_eq!(refusal(b"[1,2]").0, "message");
        for (part, value) in [("protocol", 2), ("schema", SCHEMA + 1), ("schema", 0)] {
            match decode_push_request(&with(|v| v[part] = Value::from(value))) {
                Err(Error::VersionNotSupported {
                    part: p,
                    version,
                    supported,
                }) => {
                    assert_eq!(p, part);
                    assert_eq!(version, u64::from(value));
                    assert!(supported >= 1);
                }
                other => panic!("expected VersionNotSupported, got {other:?}"),
            }
        }
        assert_eq!(
            refusal(&with(|v| v["mutations"][1]["id"] = Value::from(7))).0,
            "mutations[1].id"
        );
        assert_eq!(
            refusal(&with(|v| v["mutations"][0]["id"] = Value::from(0))).0,
            "mutations[0].id"
        );
        let (field, reason) = refusal(&with(|v| {
            v["mutations"][2]["command"]["promised_by"] = secret.into()
        }));
        assert_eq!(field, "mutations[2].command.promised_by");
        assert!(!reason.contains(secret));
        let (field, reason) = refusal(&with(|v| {
            v["mutations"][0]["command"]["command"] = secret.into()
        }));
        assert_eq!(field, "mutations[0].command.command");
        assert!(!reason.contains(secret));
        let (field, reason) = refusal(&with(|v| v["client"] = secret.into()));
        assert_eq!(field, "client");
        assert!(!reason.contains(secret));
        let big = vec![b' '; MAX_MESSAGE_BYTES + 1];
        assert_eq!(refusal(&big).0, "message");
        let many = with(|v| {
            let one = v["mutations"][0].clone();
            v["mutations"] = Value::Array(
                (1..=MAX_MUTATIONS as u64 + 1)
                    .map(|i| {
                        let mut m = one.clone();
                        m["id"] = Value::from(i);
                        m
                    })
                    .collect(),
            );
        });
        assert_eq!(refusal(&many).0, "mutations");
    }

    fn push_of(ids: std::ops::Range<u64>) -> PushRequest {
        let mut p = push();
        let m = p.mutations[0].clone();
        p.mutations = ids.map(|id| Mutation { id, ..m.clone() }).collect();
        p
    }

    #[test]
    fn a_retry_replays_a_new_batch_applies_a_gap_stops() {
        assert_eq!(
            plan_push(2, &push_of(1..5)),
            vec![
                Step::Replay { id: 1 },
                Step::Replay { id: 2 },
                Step::Apply { index: 2 },
                Step::Apply { index: 3 },
            ]
        );
        assert_eq!(
            plan_push(0, &push_of(3..5)),
            vec![Step::Gap { expected: 1 }]
        );
        assert_eq!(
            plan_push(9, &push_of(1..3)),
            vec![Step::Replay { id: 1 }, Step::Replay { id: 2 }]
        );
        assert_eq!(plan_push(0, &push_of(1..1)), vec![]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever the client's last id and the batch: every mutation at or below it is
        /// replayed, the rest applied in order exactly when they continue it, and applying the
        /// plan leaves the last id at the batch's end or unchanged at a gap.
        #[test]
        fn a_push_plan_is_idempotent_and_gap_free(last in 0u64..20, start in 1u64..25, len in 0u64..10) {
            let p = push_of(start..start + len);
            let steps = plan_push(last, &p);
            let mut applied_to = last;
            for s in &steps {
                match *s {
                    Step::Replay { id } => prop_assert!(id <= last),
                    Step::Apply { index } => {
                        prop_assert_eq!(p.mutations[index].id, applied_to + 1);
                        applied_to += 1;
                    }
                    Step::Gap { expected } => prop_assert_eq!(expected, applied_to + 1),
                }
            }
            let end = start + len - u64::from(len > 0);
            if len == 0 || end <= last || start <= last + 1 {
                prop_assert_eq!(applied_to, last.max(if len == 0 { last } else { end }));
                let gap = steps.iter().any(|s| matches!(s, Step::Gap { .. }));
                prop_assert!(!gap, "a gap in a continuing batch");
            } else {
                prop_assert_eq!(applied_to, last);
                prop_assert_eq!(steps.last(), Some(&Step::Gap { expected: last + 1 }));
            }
            // A second push of the same batch after applying it replays all of it.
            let again = plan_push(applied_to, &p);
            if applied_to >= end && len > 0 {
                let replayed = again.iter().all(|s| matches!(s, Step::Replay { .. }));
                prop_assert!(replayed, "a retried batch is replayed whole");
            }
        }

        /// Any bytes: a push or a typed refusal, never a panic.
        #[test]
        fn any_bytes_decode_or_refuse(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_push_request(&bytes);
            let _ = decode_push_response(&bytes);
        }

        /// A valid push with one byte changed: a push or `Invalid`, never a panic.
        #[test]
        fn a_changed_byte_decodes_or_refuses(at in any::<prop::sample::Index>(), b in any::<u8>()) {
            let mut bytes = encode(&push());
            let i = at.index(bytes.len());
            bytes[i] = b;
            match decode_push_request(&bytes) {
                Ok(_) | Err(Error::Invalid { .. }) => {}
                Err(other) => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
