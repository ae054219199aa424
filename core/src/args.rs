//! A host's arguments (plain JSON values) read into the core's serde types, every refusal an
//! [`Error::Invalid`] whose `field` is the argument's path (`fulfilment.items[0].count`,
//! `limit`) and whose `reason` says what is expected — built from the type that was expected,
//! never from the value, so no part of an argument (a resident's name or phone) can reach an
//! error message.
//!
//! `serde_json::from_value` would report `invalid type: string "13912345678", expected i64`
//! and lose the path; this module reads a [`Value`] with its own deserializer, which knows
//! the path of every value it hands out, and its own error type, which keeps only the
//! *expected* half of each serde error. A custom error from a type's `Deserialize` (a UUID or
//! a time that does not parse) is replaced by what that type's visitor says it expects: its
//! text may quote the input. Commands are read by their own struct (see [`command`]): the
//! `Command` enum is internally tagged, and serde buffers such an enum's content, losing the
//! path.
//!
//! Enabled by the `args` feature (the Python binding uses it).

use crate::command::*;
use crate::Error;
use serde::de::value::{MapAccessDeserializer, StrDeserializer, StringDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, Visitor,
};
use serde_json::{Map, Value};
use std::fmt::{self, Write as _};

/// Reads a `T` from `v`; `field` names `v` itself (`""` when `v` is the object of all the
/// arguments, whose keys are then the fields).
pub fn from_value<T: DeserializeOwned>(field: &str, v: Value) -> Result<T, Error> {
    T::deserialize(De {
        v,
        path: Path::Root(field),
    })
    .map_err(|e| e.into_error(field))
}

/// The command whose snake_case name (its serde tag) is `name`, from its arguments.
pub fn command(name: &str, args: Map<String, Value>) -> Result<Command, Error> {
    macro_rules! by_name {
        ($($tag:literal => $t:ident),+ $(,)?) => {
            /// Every tag this reader knows, in the order of `Command::TYPE_NAMES`.
            #[cfg(test)]
            const TAGS: &[&str] = &[$($tag),+];
            #[cfg(test)]
            if name == "\0tags" {
                return Err(Error::invalid("command", TAGS.join(",")));
            }
            match name {
                $($tag => from_value::<$t>("", Value::Object(args)).map(Command::from),)+
                _ => Err(Error::invalid("command", "is not a command of this Hub")),
            }
        };
    }
    by_name! {
        "create_unit" => CreateUnit,
        "register_work_unit" => RegisterWorkUnit,
        "register_organisation" => RegisterOrganisation,
        "define_category" => DefineCategory,
        "issue_certificate" => IssueCertificate,
        "reissue_certificate" => ReissueCertificate,
        "report_member" => ReportMember,
        "accept_report" => AcceptReport,
        "return_report" => ReturnReport,
        "register_resident" => RegisterResident,
        "register_household" => RegisterHousehold,
        "set_household" => SetHousehold,
        "update_resident" => UpdateResident,
        "erase_resident" => EraseResident,
        "draft_need" => DraftNeed,
        "submit_need" => SubmitNeed,
        "publish_need" => PublishNeed,
        "reject_need" => RejectNeed,
        "withdraw_need" => WithdrawNeed,
        "expire_need" => ExpireNeed,
        "record_feedback" => RecordFeedback,
        "claim_need" => ClaimNeed,
        "start_work" => StartWork,
        "extend_claim" => ExtendClaim,
        "release_claim" => ReleaseClaim,
        "complete_claim" => CompleteClaim,
        "verify_claim" => VerifyClaim,
        "send_back_claim" => SendBackClaim,
        "warn_claim_due" => WarnClaimDue,
        "lapse_claim" => LapseClaim,
        "form_team" => FormTeam,
        "appoint_captain" => AppointCaptain,
        "join_team" => JoinTeam,
        "leave_team" => LeaveTeam,
        "log_hours" => LogHours,
        "approve_hours" => ApproveHours,
        "reject_hours" => RejectHours,
        "record_activity" => RecordActivity,
        "assign_role" => AssignRole,
        "end_role" => EndRole,
        "start_pairing" => StartPairing,
        "end_pairing" => EndPairing,
        "offer_need" => OfferNeed,
        "accept_offer" => AcceptOffer,
        "decline_offer" => DeclineOffer,
        "next_occurrence" => NextOccurrence,
        "issue_service_certificate" => IssueServiceCertificate,
        "request_correction" => RequestCorrection,
        "answer_correction" => AnswerCorrection,
        "lapse_offer" => LapseOffer,
        "set_working_calendar" => SetWorkingCalendar,
    }
}

/// Where a value sits in the arguments.
#[derive(Clone, Copy)]
enum Path<'a> {
    /// The value given, named by the caller (`""`: the arguments themselves).
    Root(&'a str),
    /// A field of an object.
    Key(&'a Path<'a>, &'a str),
    /// An item of a list.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self, out: &mut String) {
        match *self {
            Path::Root(r) => out.push_str(r),
            Path::Key(p, k) => {
                p.render(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Path::Index(p, i) => {
                p.render(out);
                let _ = write!(out, "[{i}]");
            }
        }
    }

    fn to_field(self) -> String {
        let mut out = String::new();
        self.render(&mut out);
        out
    }
}

/// What was expected where an argument did not fit: only descriptions of types, never the
/// value met.
#[derive(Debug)]
enum Want {
    /// A value of the type a serde visitor describes (`u32`, `a string`, `a UUID string`);
    /// `float` when what came was a number with a fraction (money given in yuan).
    Type { expected: String, float: bool },
    /// One of these codes.
    Variant(&'static [&'static str]),
    /// Only these fields.
    Fields(&'static [&'static str]),
    /// This field is missing.
    Missing(&'static str),
    /// This field is given twice.
    Duplicate(&'static str),
    /// A type's own check refused the value; its message (which may quote the value) is
    /// dropped.
    Custom,
}

/// A serde error that remembers what was expected and where, never the value.
#[derive(Debug)]
pub struct ArgError {
    want: Want,
    /// The path, set by the innermost value that saw the error.
    field: Option<String>,
    /// What the visitor at that value expected (for a [`Want::Custom`]).
    expecting: Option<String>,
}

impl ArgError {
    fn new(want: Want) -> Self {
        ArgError {
            want,
            field: None,
            expecting: None,
        }
    }

    /// Places the error at `path` unless a value inside it already did.
    fn at(mut self, path: Path<'_>, expecting: Option<String>) -> Self {
        if self.field.is_none() {
            let mut field = path.to_field();
            if let Want::Missing(f) | Want::Duplicate(f) = self.want {
                if !field.is_empty() {
                    field.push('.');
                }
                field.push_str(f);
            }
            self.field = Some(field);
            self.expecting = expecting;
        }
        self
    }

    /// The reason, in words: what is expected.
    fn reason(&self) -> String {
        match &self.want {
            Want::Type { expected, float } => {
                let mut r = expected_as_reason(expected);
                if *float && expected == "i64" {
                    r.push_str(" (money is in fen: use needbridge.fen())");
                }
                r
            }
            Want::Variant(codes) => format!("must be one of: {}", codes.join(", ")),
            Want::Fields(fields) => {
                format!("has an unknown field; expected only: {}", fields.join(", "))
            }
            Want::Missing(_) => "is required".into(),
            Want::Duplicate(_) => "is given twice".into(),
            Want::Custom => match &self.expecting {
                Some(e) => expected_as_reason(e),
                None => "is not valid here".into(),
            },
        }
    }

    fn into_error(self, root: &str) -> Error {
        let reason = self.reason();
        let field = self.field.unwrap_or_else(|| root.to_string());
        Error::Invalid {
            field: if field.is_empty() {
                "arguments".into()
            } else {
                field
            },
            reason,
        }
    }
}

/// A serde visitor's description of a type, as the reason an argument was refused.
fn expected_as_reason(expected: &str) -> String {
    fn whole(min: i128, max: u128) -> String {
        format!("must be a whole number from {min} to {max}")
    }
    match expected {
        "u8" => whole(0, u8::MAX.into()),
        "u16" => whole(0, u16::MAX.into()),
        "u32" => whole(0, u32::MAX.into()),
        "u64" | "usize" => whole(0, u64::MAX.into()),
        "i8" => whole(i8::MIN.into(), i8::MAX as u128),
        "i16" => whole(i16::MIN.into(), i16::MAX as u128),
        "i32" => whole(i32::MIN.into(), i32::MAX as u128),
        "i64" | "isize" => whole(i64::MIN.into(), i64::MAX as u128),
        "a boolean" => "must be True or False".into(),
        "a string" | "a borrowed string" | "a char" => "must be text".into(),
        "a sequence" => "must be a list".into(),
        "a map" => "must be a mapping".into(),
        e if e.contains("UUID") => "must be a UUID".into(),
        e if e.contains("RFC 3339") => "must be a timezone-aware date and time".into(),
        "a formatted date string" => "must be a date as YYYY-MM-DD".into(),
        e => match e.strip_prefix("struct ") {
            Some(name) => format!("must be a {name} (a mapping of its fields)"),
            None => format!("must be {e}"),
        },
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.reason())
    }
}

impl std::error::Error for ArgError {}

impl de::Error for ArgError {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        ArgError::new(Want::Custom)
    }
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        ArgError::new(Want::Type {
            expected: exp.to_string(),
            float: matches!(unexp, Unexpected::Float(x) if x.fract() != 0.0),
        })
    }
    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::invalid_type(unexp, exp)
    }
    fn invalid_length(_len: usize, exp: &dyn de::Expected) -> Self {
        ArgError::new(Want::Type {
            expected: exp.to_string(),
            float: false,
        })
    }
    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        ArgError::new(Want::Variant(expected))
    }
    fn unknown_field(_field: &str, expected: &'static [&'static str]) -> Self {
        ArgError::new(Want::Fields(expected))
    }
    fn missing_field(field: &'static str) -> Self {
        ArgError::new(Want::Missing(field))
    }
    fn duplicate_field(field: &'static str) -> Self {
        ArgError::new(Want::Duplicate(field))
    }
}

/// What a visitor says it expects, as text.
fn expecting<'de, V: Visitor<'de>>(v: &V) -> String {
    struct E<'a, V>(&'a V);
    impl<'de, V: Visitor<'de>> fmt::Display for E<'_, V> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.expecting(f)
        }
    }
    E(v).to_string()
}

/// A value and its path.
struct De<'a> {
    v: Value,
    path: Path<'a>,
}

impl<'de> Deserializer<'de> for De<'_> {
    type Error = ArgError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ArgError> {
        let path = self.path;
        // Only text can fail a type's own parsing (uuid, time): keep what it expected.
        let exp = matches!(self.v, Value::String(_)).then(|| expecting(&visitor));
        let r = match self.v {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => visitor.visit_u64(u),
                (None, Some(i)) => visitor.visit_i64(i),
                _ => visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visitor.visit_seq(Seq {
                items: items.into_iter().enumerate(),
                path: &path,
            }),
            Value::Object(m) => visitor.visit_map(Fields::new(m, &path, false)),
        };
        r.map_err(|e| e.at(path, exp))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ArgError> {
        let path = self.path;
        match self.v {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
        .map_err(|e| e.at(path, None))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ArgError> {
        let path = self.path;
        match self.v {
            // A code: a unit variant.
            Value::String(s) => visitor
                .visit_enum(StringDeserializer::<ArgError>::new(s))
                .map_err(|e| e.at(path, None)),
            // `{"variant": content}`: the content keeps the enum's own path.
            Value::Object(m) if m.len() == 1 => visitor
                .visit_enum(MapAccessDeserializer::new(Fields::new(m, &path, true)))
                .map_err(|e| e.at(path, None)),
            v => De { v, path }.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ArgError> {
        let path = self.path;
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| e.at(path, None))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ArgError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// The items of a list, each with its index in the path.
struct Seq<'a, I> {
    items: I,
    path: &'a Path<'a>,
}

impl<'de, I: Iterator<Item = (usize, Value)>> SeqAccess<'de> for Seq<'_, I> {
    type Error = ArgError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ArgError> {
        match self.items.next() {
            None => Ok(None),
            Some((i, v)) => seed
                .deserialize(De {
                    v,
                    path: Path::Index(self.path, i),
                })
                .map(Some),
        }
    }
}

/// The fields of an object, each with its key in the path.
struct Fields<'a> {
    /// The tag of an adjacently tagged enum (`type`, `of`), handed out first: serde reads the
    /// content in place only after the tag (else it buffers it and the path is lost), and the
    /// object's keys are sorted (`id` < `type`).
    tag: Option<(String, Value)>,
    entries: serde_json::map::IntoIter,
    key: String,
    value: Option<Value>,
    path: &'a Path<'a>,
    /// The object is an enum's `{"variant": content}`: the content keeps the object's path
    /// (a variant is no argument).
    variant: bool,
}

impl<'a> Fields<'a> {
    fn new(mut m: Map<String, Value>, path: &'a Path<'a>, variant: bool) -> Self {
        let tag = if m.contains_key("id") {
            m.remove_entry("type").or_else(|| m.remove_entry("of"))
        } else {
            None
        };
        Fields {
            tag,
            entries: m.into_iter(),
            key: String::new(),
            value: None,
            path,
            variant,
        }
    }
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = ArgError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ArgError> {
        match self.tag.take().or_else(|| self.entries.next()) {
            None => Ok(None),
            Some((k, v)) => {
                self.key = k;
                self.value = Some(v);
                seed.deserialize(StrDeserializer::<ArgError>::new(&self.key))
                    .map(Some)
            }
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, ArgError> {
        let v = self.value.take().unwrap_or(Value::Null);
        if self.variant {
            return seed.deserialize(De {
                v,
                path: *self.path,
            });
        }
        seed.deserialize(De {
            v,
            path: Path::Key(self.path, &self.key),
        })
    }
}

impl<'a> IntoDeserializer<'_, ArgError> for De<'a> {
    type Deserializer = De<'a>;
    fn into_deserializer(self) -> De<'a> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::ExportOptions;
    use crate::model::*;
    use serde_json::json;

    fn refused<T: DeserializeOwned + fmt::Debug>(v: Value) -> (String, String) {
        match from_value::<T>("", v) {
            Err(Error::Invalid { field, reason }) => (field, reason),
            other => panic!("not refused as Invalid: {other:?}"),
        }
    }

    fn complete(fulfilment: Value) -> Value {
        json!({"claim": ClaimId::new().to_string(), "fulfilment": fulfilment})
    }

    fn fulfilment() -> Value {
        json!({"money_fen": 0, "items": [{"description": "书包", "count": 1}], "minutes": 30,
               "people_served": 1, "evidence": [], "note": ""})
    }

    #[test]
    fn numbers_out_of_range_name_their_path_and_range_not_the_value() {
        let u32_range = "must be a whole number from 0 to 4294967295";
        for bad in [
            json!(-1),
            json!(1u64 << 31 << 1),
            json!(1u64 << 53),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(1.5),
            json!(true),
            json!("13912345678"),
            json!(null),
        ] {
            for (path, field) in [
                ("/fulfilment/minutes", "fulfilment.minutes"),
                ("/fulfilment/people_served", "fulfilment.people_served"),
                ("/fulfilment/items/0/count", "fulfilment.items[0].count"),
            ] {
                let mut v = complete(fulfilment());
                *v.pointer_mut(path).unwrap() = bad.clone();
                let (f, reason) = refused::<CompleteClaim>(v);
                assert_eq!((f.as_str(), reason.as_str()), (field, u32_range), "{bad}");
            }
        }
        // 2^31 fits a u32: not refused by the reading (the rules bound it).
        let mut v = complete(fulfilment());
        *v.pointer_mut("/fulfilment/minutes").unwrap() = json!(1u64 << 31);
        assert!(from_value::<CompleteClaim>("", v).is_ok());
        // Money: i64, with the hint for yuan.
        let mut v = complete(fulfilment());
        *v.pointer_mut("/fulfilment/money_fen").unwrap() = json!(12.5);
        let (f, reason) = refused::<CompleteClaim>(v);
        assert_eq!(f, "fulfilment.money_fen");
        assert!(reason.contains("-9223372036854775808") && reason.contains("fen()"));
        let mut v = complete(fulfilment());
        *v.pointer_mut("/fulfilment/money_fen").unwrap() = json!("13912345678");
        let (_, reason) = refused::<CompleteClaim>(v);
        assert!(!reason.contains("fen()") && !reason.contains("1391"));
    }

    #[test]
    fn every_serde_error_shape_keeps_only_what_was_expected() {
        let secret = "陈测试大爷";
        // Unknown variant.
        let (f, r) = refused::<ExportOptions>(json!({"personal_data": secret}));
        assert_eq!(
            (f.as_str(), r.as_str()),
            ("personal_data", "must be one of: masked, full")
        );
        // Invalid type: text where a number goes; a number where text goes.
        let mut v = complete(fulfilment());
        *v.pointer_mut("/fulfilment/note").unwrap() = json!(13912345678u64);
        assert_eq!(
            refused::<CompleteClaim>(v),
            ("fulfilment.note".into(), "must be text".into())
        );
        // Missing field, nested (a fulfilment's own fields default; an item's do not).
        let mut v = complete(fulfilment());
        v["fulfilment"]["items"][0]
            .as_object_mut()
            .unwrap()
            .remove("count");
        assert_eq!(
            refused::<CompleteClaim>(v),
            ("fulfilment.items[0].count".into(), "is required".into())
        );
        let mut v = complete(fulfilment());
        v["fulfilment"].as_object_mut().unwrap().remove("minutes");
        assert!(crate::args::from_value::<CompleteClaim>("", v).is_ok());
        // A list where a record goes, a record where a list goes.
        let v = complete(json!("陈测试大爷"));
        let (f, r) = refused::<CompleteClaim>(v);
        assert_eq!(f, "fulfilment");
        assert!(r.contains("Fulfilment"), "{r}");
        let mut v = complete(fulfilment());
        v["fulfilment"]["items"] = json!({"description": secret});
        assert_eq!(
            refused::<CompleteClaim>(v),
            ("fulfilment.items".into(), "must be a list".into())
        );
        // Custom errors of a type's own parsing (uuid, time) quote the value: replaced.
        let (f, r) = refused::<PublishNeed>(json!({"need": secret}));
        assert_eq!((f.as_str(), r.as_str()), ("need", "must be a UUID"));
        let (f, r) = refused::<ClaimNeed>(json!({"need": NeedId::new().to_string(),
            "claimant": {"type": "member", "id": MemberId::new().to_string()}, "promised_by": secret}));
        assert_eq!(
            (f.as_str(), r.as_str()),
            ("promised_by", "must be a timezone-aware date and time")
        );
        // An adjacently tagged enum: an unknown kind, and its content's path.
        let (f, r) = refused::<ClaimNeed>(json!({"need": NeedId::new().to_string(),
            "claimant": {"type": secret, "id": MemberId::new().to_string()}, "promised_by": "2030-01-01T00:00:00Z"}));
        assert_eq!(f, "claimant.type");
        assert_eq!(r, "must be one of: member, team, organisation");
        let (f, r) = refused::<ClaimNeed>(json!({"need": NeedId::new().to_string(),
            "claimant": {"type": "team", "id": secret}, "promised_by": "2030-01-01T00:00:00Z"}));
        assert_eq!((f.as_str(), r.as_str()), ("claimant.id", "must be a UUID"));
        // A list of codes.
        let (f, r) = refused::<UpdateResident>(json!({"resident": ResidentId::new().to_string(),
            "name": "x", "groups": ["elderly", secret]}));
        assert_eq!(f, "groups[1]");
        assert!(r.starts_with("must be one of: left_behind_child"), "{r}");
        // Unknown field where fields are closed; invalid length.
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Closed {
            a: u32,
            pair: (u32, u32),
        }
        let (f, r) = refused::<Closed>(json!({"a": 1, secret: 2}));
        assert_eq!(
            (f.as_str(), r.as_str()),
            ("arguments", "has an unknown field; expected only: a, pair")
        );
        let (f, r) = refused::<Closed>(json!({"a": 1, "pair": [1]}));
        assert_eq!(f, "pair");
        assert!(!r.contains('1') || r.contains("2 elements"), "{r}");
    }

    #[test]
    fn no_reason_or_field_ever_contains_the_value() {
        let secrets = ["陈测试大爷", "13912345678", "a\", expected u32"];
        for s in secrets {
            for v in [
                json!({"need": s}),
                json!({"need": NeedId::new().to_string(), "feedback": s}),
                json!({"need": 1391234567, "feedback": s}),
            ] {
                if let Err(e) = from_value::<RecordFeedback>("", v) {
                    let text = format!("{e:?} {e}");
                    assert!(!text.contains(s) && !text.contains("1391234567"), "{text}");
                }
            }
        }
    }

    #[test]
    fn an_enum_variant_is_no_part_of_the_path() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[allow(dead_code)]
        enum Read {
            Library(crate::hub::NeedQuery),
            Events { limit: u32 },
        }
        let (f, r) = refused::<Read>(json!({"library": {"limit": -1}}));
        assert_eq!(
            (f.as_str(), r.as_str()),
            ("limit", "must be a whole number from 0 to 4294967295")
        );
        let (f, _) = refused::<Read>(json!({"events": {"limit": "x"}}));
        assert_eq!(f, "limit");
        let (f, r) = refused::<Read>(json!({"陈测试大爷": {}}));
        assert_eq!(
            (f.as_str(), r.as_str()),
            ("arguments", "must be one of: library, events")
        );
    }

    #[test]
    fn commands_are_read_by_name_with_paths() {
        let Err(Error::Invalid { reason, .. }) = command("\0tags", Map::new()) else {
            panic!()
        };
        let snake: Vec<String> = Command::TYPE_NAMES
            .iter()
            .map(|n| {
                let mut out = String::new();
                for (i, c) in n.chars().enumerate() {
                    if c.is_ascii_uppercase() && i > 0 {
                        out.push('_');
                    }
                    out.push(c.to_ascii_lowercase());
                }
                out
            })
            .collect();
        assert_eq!(reason, snake.join(","), "every command, in order");
        let Value::Object(args) = complete(fulfilment()) else {
            panic!()
        };
        assert!(matches!(
            command("complete_claim", args.clone()),
            Ok(Command::CompleteClaim(_))
        ));
        let mut bad = args;
        bad["fulfilment"]["items"][0]["count"] = json!(-1);
        let Err(Error::Invalid { field, .. }) = command("complete_claim", bad) else {
            panic!()
        };
        assert_eq!(field, "fulfilment.items[0].count");
        assert!(
            matches!(command("no_such", Map::new()), Err(Error::Invalid { field, .. }) if field == "command")
        );
    }
}
