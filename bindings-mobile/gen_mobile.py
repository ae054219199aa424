#!/usr/bin/env python3
"""Generates ``bindings-mobile/src/generated.rs`` from the core's Rust sources: a uniffi mirror
of every record and vocabulary (ids as text, times as timestamps, every integer a signed 64-bit
number so Java can call it), conversions from and to the core's types, and one ``Hub`` method
per command, all carrying the core's doc comments into Kotlin and Swift.

Run ``python3 bindings-mobile/gen_mobile.py`` after changing a model type or a command;
``--check`` (run by scripts/test.sh) fails when the checked-in file is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "bindings-python"))
import gen_models as g  # noqa: E402  (the shared parser of the core's sources)

OUT = HERE / "src" / "generated.rs"

# Core names that collide with the host languages' own types.
RENAME = {"Unit": "ResidenceUnit"}

OUTPUT = [n for _, names in g.STRUCTS for n in names if n not in ("Period", "Report", "Event")]
INPUT = {"Fulfilment", "Item"}
JSON_TYPES = {"Command", "Record", "ReportRequest"}


def name(t: str) -> str:
    return RENAME.get(t, t)


def is_id(t: str, structs: set[str]) -> bool:
    return t.endswith("Id") and t not in structs


def mt(t: str, enums: set[str], structs: set[str]) -> str:
    t = t.strip()
    if m := re.fullmatch(r"Option<(.+)>", t):
        return f"Option<{mt(m.group(1), enums, structs)}>"
    if m := re.fullmatch(r"Vec<(.+)>", t):
        return f"Vec<{mt(m.group(1), enums, structs)}>"
    if m := re.fullmatch(r"BTreeMap<String, (.+)>", t):
        return f"HashMap<String, {mt(m.group(1), enums, structs)}>"
    if re.fullmatch(r"\(.+\)", t):
        return "Pair"
    if t in ("String", "bool", "i64"):
        return t
    if t in ("u32", "u64", "usize", "i32"):
        return "i64"
    if t == "DateTime<Utc>":
        return "SystemTime"
    if t in JSON_TYPES:
        return "String"
    if is_id(t, structs):
        return "String"
    if t in enums or t in structs or t in ("Claimant", "Actor"):
        return name(t)
    raise SystemExit(f"gen_mobile: no mobile type for {t!r}")


def identity(t: str) -> bool:
    return t in ("String", "bool", "i64")


def out(e: str, t: str, enums: set[str], structs: set[str]) -> str:
    """Core value → mobile value."""
    t = t.strip()
    if m := re.fullmatch(r"Option<(.+)>", t):
        inner = m.group(1)
        return e if identity(inner) else f"{e}.map(|x| {out('x', inner, enums, structs)})"
    if m := re.fullmatch(r"Vec<(.+)>", t):
        inner = m.group(1)
        if identity(inner):
            return e
        return f"{e}.into_iter().map(|x| {out('x', inner, enums, structs)}).collect()"
    if m := re.fullmatch(r"BTreeMap<String, (.+)>", t):
        return f"{e}.into_iter().map(|(k, x)| (k, {out('x', m.group(1), enums, structs)})).collect()"
    if re.fullmatch(r"\(.+\)", t):
        return f"Pair {{ first: {e}.0.to_string(), second: {e}.1.to_string() }}"
    if identity(t):
        return e
    if t == "u32":
        return f"i64::from({e})"
    if t in ("u64", "usize"):
        return f"i64::try_from({e}).unwrap_or(i64::MAX)"
    if t == "DateTime<Utc>":
        return f"SystemTime::from({e})"
    if t in JSON_TYPES:
        return f"json(&{e})"
    if is_id(t, structs):
        return f"{e}.to_string()"
    return f"{e}.into()"


def inp(e: str, t: str, field: str, enums: set[str], structs: set[str]) -> str:
    """Mobile value → core value (fallible: refused input names the field)."""
    t = t.strip()
    if m := re.fullmatch(r"Option<(.+)>", t):
        inner = m.group(1)
        if identity(inner):
            return e
        return f"{e}.map(|x| -> Result<_, NeedbridgeError> {{ Ok({inp('x', inner, field, enums, structs)}) }}).transpose()?"
    if m := re.fullmatch(r"Vec<(.+)>", t):
        inner = m.group(1)
        if identity(inner):
            return e
        return (f"{e}.into_iter().enumerate().map(|(i, x)| -> Result<_, NeedbridgeError> {{ "
                f"let _ = i; Ok({inp('x', inner, field, enums, structs)}) }}).collect::<Result<Vec<_>, _>>()?")
    if identity(t):
        return e
    if t == "u32":
        return f'u32_of({e}, "{field}")?'
    if t in ("u64", "usize"):
        return f'u64_of({e}, "{field}")?'
    if t == "DateTime<Utc>":
        return f"DateTime::<Utc>::from({e})"
    if is_id(t, structs):
        return f'm::{t}(uuid_of(&{e}, "{field}")?)'
    if t in enums:
        return f"{e}.into()"
    if t == "Claimant":
        return f'{e}.into_core("{field}")?'
    if t in INPUT:
        return f"{e}.into_core()?"
    raise SystemExit(f"gen_mobile: cannot take {t!r} as input")


def doc(text: str, indent: str) -> list[str]:
    text = text.replace("``", "`")
    return [f"{indent}/// {text}"] if text else []


def render() -> str:
    enums_parsed = g.parse_enums((ROOT / g.ENUMS_FILE).read_text())
    enums = {e[0] for e in enums_parsed}
    structs = {n for _, ns in g.STRUCTS for n in ns}
    L = [
        "// Generated by bindings-mobile/gen_mobile.py from the core's sources: do not edit.",
        "// The mobile mirror of the core's records and vocabularies, and one Hub method per",
        "// command. Ids are text, times timestamps, integers signed 64-bit (callable from Java).",
        "",
        "USE_CRATE",
        "use chrono::{DateTime, Utc};",
        "use needbridge::command as c;",
        "use needbridge::model as m;",
        "use std::collections::HashMap;",
        "use std::time::SystemTime;",
        "",
    ]
    for ename, edoc, variants in enums_parsed:
        L += doc(edoc, "")
        L += ["#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]", f"pub enum {ename} {{"]
        for v, _code, vdoc in variants:
            L += doc(vdoc, "    ") + [f"    {v},"]
        L += ["}", ""]
        arms_in = " ".join(f"m::{ename}::{v} => Self::{v}," for v, _, _ in variants)
        arms_out = " ".join(f"{ename}::{v} => Self::{v}," for v, _, _ in variants)
        L += [f"impl From<m::{ename}> for {ename} {{", f"    fn from(v: m::{ename}) -> Self {{", f"        match v {{ {arms_in} }}", "    }", "}", ""]
        L += [f"impl From<{ename}> for m::{ename} {{", f"    fn from(v: {ename}) -> Self {{", f"        match v {{ {arms_out} }}", "    }", "}", ""]
    for path, names in g.STRUCTS:
        src = (ROOT / path).read_text()
        for sname in names:
            if sname not in OUTPUT and sname not in INPUT:
                continue
            sdoc, fields = g.parse_struct(src, sname)
            rname = name(sname)
            L += doc(sdoc, "")
            L += ["#[derive(Debug, Clone, PartialEq, uniffi::Record)]", f"pub struct {rname} {{"]
            for fname, ftype, fdoc in fields:
                L += doc(fdoc, "    ") + [f"    pub {fname}: {mt(ftype, enums, structs)},"]
            L += ["}", ""]
            core_path = {"NeedPage": "needbridge::hub::NeedPage", "CertificateRow": "needbridge::hub::CertificateRow",
                         "TickSummary": "needbridge::TickSummary", "MemberLedgerRow": "needbridge::ledger::MemberLedgerRow",
                         "NeedLedgerRow": "needbridge::ledger::NeedLedgerRow", "NeedFigures": "needbridge::report::NeedFigures",
                         "ActivityFigures": "needbridge::report::ActivityFigures", "ReportData": "needbridge::report::ReportData"}.get(sname, f"m::{sname}")
            L += [f"impl From<{core_path}> for {rname} {{", f"    fn from(v: {core_path}) -> Self {{", "        Self {"]
            for fname, ftype, _ in fields:
                L.append(f"            {fname}: {out('v.' + fname, ftype, enums, structs)},")
            L += ["        }", "    }", "}", ""]
            if sname in INPUT:
                L += [f"impl {rname} {{", f"    pub(crate) fn into_core(self) -> Result<{core_path}, NeedbridgeError> {{",
                      "        let v = self;", f"        Ok({core_path} {{"]
                for fname, ftype, _ in fields:
                    L.append(f"            {fname}: {inp('v.' + fname, ftype, fname, enums, structs)},")
                L += ["        })", "    }", "}", ""]
    # Commands.
    L += ["#[uniffi::export]", "impl Hub {"]
    for cname, cdoc, out_t, fields in g.parse_commands():
        L += doc(cdoc, "    ")
        if fields:
            L.append("    ///")
            for fn_, _, fd in fields:
                L += doc(f"- `{fn_}`: {fd}", "    ")
        params = "".join(f", {fn_}: {mt(ft, enums, structs)}" for fn_, ft, _ in fields)
        L.append(f"    pub fn {g.snake(cname)}(&self, actor: Actor{params}) -> Result<{name(out_t)}, NeedbridgeError> {{")
        L.append(f"        let command = c::{cname} {{")
        for fn_, ft, _ in fields:
            expr = inp(fn_, ft, fn_, enums, structs)
            L.append(f"            {fn_}," if expr == fn_ else f"            {fn_}: {expr},")
        L += ["        };", "        Ok(self.run(actor, command)?.into())", "    }", ""]
    L += ["}", ""]
    text = "\n".join(L)
    helpers = [h for h in ("json", "u32_of", "u64_of") if f"{h}(" in text]
    uses = ", ".join(helpers + ["uuid_of", "Actor", "Claimant", "Hub", "NeedbridgeError", "Pair"])
    return text.replace("USE_CRATE", f"use crate::{{{uses}}};", 1)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is out of date: run python3 bindings-mobile/gen_mobile.py", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
