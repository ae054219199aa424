//! The core described as data, for the binding generators: every command (its name, serde
//! tag, event kind, output type and fields), every record and read result the bindings mirror,
//! every vocabulary (Rust names, stable codes), the error (its kinds and their fields), each
//! with its doc comments — produced from the types themselves (their `schemars::JsonSchema`),
//! never from their source text.
//!
//! [`description`] is a JSON document; `bindings/description.json` is its committed copy,
//! written and checked by the `needbridge-describe` binary:
//!
//! ```text
//! cargo run -p needbridge --no-default-features --features describe --bin needbridge-describe
//! cargo run -p needbridge --no-default-features --features describe --bin needbridge-describe -- --check
//! ```
//!
//! `bindings-python/gen_models.py` and `bindings-mobile/gen_mobile.py` read only that file.
//! In its `definitions` (JSON Schema 2020-12, `schemars`), ids are `{"type": "string",
//! "format": "uuid"}`, times `"format": "date-time"`, integers carry their Rust width in
//! `format` (`uint32`, `uint64`, `int64`), the `Command`, `Record` and `ReportRequest` an
//! event or report carries are plain JSON objects, and a field's `description` is its doc
//! comment. Enabled by the `describe` feature (not in the default build).

use crate::command::{Command, CommandVisitor, Execute};
use crate::model::*;
use schemars::{generate::SchemaSettings, JsonSchema, SchemaGenerator};
use serde_json::{json, Value};

/// Every command as data, in declaration order: its type name, serde tag, event kind and
/// output type, its fields' schemas added to the generator.
struct Commands<'g> {
    generator: &'g mut SchemaGenerator,
    out: Vec<Value>,
}

impl CommandVisitor for Commands<'_> {
    fn visit<C>(&mut self, event: &'static str)
    where
        C: Execute + JsonSchema,
        C::Output: JsonSchema,
    {
        let name = C::schema_name();
        self.generator.subschema_for::<C>();
        self.generator.subschema_for::<C::Output>();
        self.out.push(json!({
            "name": name,
            "command": snake_case(&name),
            "event": event,
            "output": C::Output::schema_name(),
        }));
    }
}

/// `ClaimNeed` → `claim_need`, as serde's `rename_all = "snake_case"` tags commands.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The vocabulary `T`: its schema added to `generator`; its values' Rust names and codes.
fn vocabulary<T>(generator: &mut SchemaGenerator, all: &[T], code: fn(&T) -> &'static str) -> Value
where
    T: JsonSchema + std::fmt::Debug,
{
    generator.subschema_for::<T>();
    let values: Vec<Value> = all
        .iter()
        .map(|v| json!({ "name": format!("{v:?}"), "code": code(v) }))
        .collect();
    json!({ "name": T::schema_name(), "values": values })
}

/// The description of the core (see the module docs).
pub fn description() -> Value {
    let mut g = SchemaSettings::draft2020_12().into_generator();
    macro_rules! vocabularies {
        ($($t:ty),+) => { vec![$(vocabulary::<$t>(&mut g, <$t>::ALL, <$t>::as_str)),+] };
    }
    let vocabularies = vocabularies!(
        UnitKind,
        OrganisationKind,
        MemberStatus,
        CertificateState,
        ResidentGroup,
        Channel,
        Scale,
        NeedStatus,
        ClaimStatus,
        TeamKind,
        ActivityKind,
        RoleKind,
        HelperKind,
        OfferStatus,
        Every,
        ServiceSource,
        CorrectionStatus,
        OfferSource,
        HoursStatus,
        LedgerKind,
        Feedback
    );
    macro_rules! records {
        ($($t:ty),+) => { vec![$({ g.subschema_for::<$t>(); <$t>::schema_name() }),+] };
    }
    // The records and read results the bindings mirror, in the order they are written out.
    let records = records!(
        Unit,
        WorkUnit,
        Tally,
        Organisation,
        Category,
        Certificate,
        Commitment,
        Member,
        LedgerEntry,
        Household,
        Resident,
        Recurrence,
        GeoPoint,
        Need,
        Item,
        RosterLine,
        Fulfilment,
        Claim,
        Team,
        Hours,
        Activity,
        Role,
        Pairing,
        Offer,
        ServiceCertificate,
        Correction,
        CalendarYear,
        crate::service::ServiceRecord,
        crate::hub::CertificateCheck,
        crate::hub::NeedPage,
        crate::hub::NearNeed,
        crate::hub::CertificateRow,
        crate::TickSummary,
        crate::ledger::MemberLedgerRow,
        crate::ledger::NeedLedgerRow,
        crate::report::Period,
        crate::report::NeedFigures,
        crate::report::ActivityFigures,
        crate::report::OfferFigures,
        crate::report::ReportData,
        crate::report::Report,
        crate::Event
    );
    let mut visitor = Commands {
        generator: &mut g,
        out: Vec::new(),
    };
    Command::visit_all(&mut visitor);
    let commands = visitor.out;
    g.subschema_for::<crate::Error>();
    json!({
        "about": "needbridge described as data: written by `needbridge-describe` from the core's types (core/src/describe.rs); do not edit.",
        "version": env!("CARGO_PKG_VERSION"),
        "vocabularies": vocabularies,
        "records": records,
        "commands": commands,
        "error": crate::Error::schema_name(),
        "definitions": g.take_definitions(true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_described_with_its_event_kind() {
        let d = description();
        let commands = d["commands"].as_array().unwrap();
        assert_eq!(commands.len(), Command::TYPE_NAMES.len());
        for (c, (name, event)) in commands
            .iter()
            .zip(Command::TYPE_NAMES.iter().zip(Command::EVENT_KINDS))
        {
            assert_eq!(c["name"], *name);
            assert_eq!(c["event"], *event);
            assert!(d["definitions"][name].is_object(), "{name} has a schema");
        }
        assert_eq!(snake_case("ClaimNeed"), "claim_need");
    }
}
