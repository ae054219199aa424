#!/usr/bin/env python3
"""Generates ``python/needbridge/models.py`` from the core's Rust types.

The Python records and enums mirror the core's serde types field for field, with the core's
doc comments as docstrings. Run ``python3 bindings-python/gen_models.py`` after changing a
model type; ``python3 bindings-python/gen_models.py --check`` (run by the tests) fails when
the checked-in file is out of date.
"""

from __future__ import annotations

import keyword
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "python" / "needbridge" / "models.py"

# (file, struct names) to mirror, in output order.
STRUCTS = [
    ("core/src/model/mod.rs", [
        "Unit", "WorkUnit", "Tally", "Organisation", "Category", "Certificate", "Commitment",
        "Member", "LedgerEntry", "Resident", "Need", "Item", "Fulfilment", "Claim", "Team",
        "Hours", "Activity", "Role", "Pairing",
    ]),
    ("core/src/hub/query.rs", ["NeedPage", "CertificateRow"]),
    ("core/src/hub.rs", ["TickSummary"]),
    ("core/src/ledger.rs", ["MemberLedgerRow", "NeedLedgerRow"]),
    ("core/src/report/mod.rs", ["Period", "NeedFigures", "ActivityFigures", "ReportData", "Report"]),
    ("core/src/store/mod.rs", ["Event"]),
]
ENUMS_FILE = "core/src/model/enums.rs"

# Rust types that map to hand-written Python types (see _types.py).
SPECIAL = {
    "Claimant": "Claimant",
    "Actor": "Actor",
    "Command": "Dict[str, Any]",
    "Record": "Dict[str, Any]",
    "ReportRequest": "Dict[str, Any]",
}


def doc_block(lines: list[str]) -> str:
    text = " ".join(l.strip()[3:].strip() for l in lines)
    text = re.sub(r"\[`([^`]+)`\]\([^)]*\)", r"``\1``", text)
    text = re.sub(r"\[`([^`]+)`\]", r"``\1``", text)
    text = text.replace('"""', "'''")
    text = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)
    return text


def py_type(rust: str, enums: set[str], structs: set[str]) -> str:
    rust = rust.strip()
    m = re.fullmatch(r"Option<(.+)>", rust)
    if m:
        return f"Optional[{py_type(m.group(1), enums, structs)}]"
    m = re.fullmatch(r"Vec<(.+)>", rust)
    if m:
        return f"List[{py_type(m.group(1), enums, structs)}]"
    m = re.fullmatch(r"BTreeMap<String, (.+)>", rust)
    if m:
        return f"Dict[str, {py_type(m.group(1), enums, structs)}]"
    m = re.fullmatch(r"\((.+)\)", rust)
    if m:
        parts = [p.strip() for p in m.group(1).split(",")]
        return "Tuple[" + ", ".join(py_type(p, enums, structs) for p in parts) + "]"
    if rust in ("String", "&str"):
        return "str"
    if rust in ("u32", "u64", "i64", "i32", "usize"):
        return "int"
    if rust == "bool":
        return "bool"
    if rust == "DateTime<Utc>":
        return "datetime"
    if rust.endswith("Id") and rust not in structs:
        return "UUID"
    if rust in SPECIAL:
        return SPECIAL[rust]
    if rust in enums or rust in structs:
        return rust
    raise SystemExit(f"gen_models: no Python type for Rust type {rust!r}")


def parse_enums(src: str) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    out = []
    for m in re.finditer(r"text_enum!\(\s*((?:\s*///[^\n]*\n)*)\s*(\w+)\s*\{(.*?)\}\s*\);", src, re.S):
        doc = doc_block([l for l in m.group(1).splitlines() if l.strip().startswith("///")])
        name = m.group(2)
        variants = []
        pending: list[str] = []
        for line in m.group(3).splitlines():
            s = line.strip()
            if s.startswith("///"):
                pending.append(s)
                continue
            v = re.match(r"(\w+)\s*=\s*\"([a-z_]+)\"", s)
            if v:
                variants.append((v.group(1), v.group(2), doc_block(pending)))
                pending = []
        out.append((name, doc, variants))
    return out


def parse_struct(src: str, name: str) -> tuple[str, list[tuple[str, str, str]]]:
    m = re.search(
        r"((?:[ \t]*///[^\n]*\n)*)(?:[ \t]*#\[[^\n]*\n)*pub struct " + name + r" \{\n(.*?)\n\}",
        src,
        re.S,
    )
    if not m:
        raise SystemExit(f"gen_models: struct {name} not found")
    doc = doc_block([l for l in m.group(1).splitlines() if l.strip().startswith("///")])
    return doc, parse_fields(m.group(2), r"pub (\w+): (.+),$")


def parse_fields(body: str, field: str) -> list[tuple[str, str, str]]:
    """The fields of a struct (or command) body: (name, Rust type, doc), each with the doc
    comment just above it; ``field`` matches one field line."""
    fields = []
    pending: list[str] = []
    for line in body.splitlines():
        s = line.strip()
        if s.startswith("///"):
            pending.append(s)
            continue
        f = re.match(field, s)
        if f:
            fields.append((f.group(1), f.group(2), doc_block(pending)))
            pending = []
        elif s and not s.startswith("#["):
            pending = []
    return fields


def render() -> str:
    enums = parse_enums((ROOT / ENUMS_FILE).read_text())
    enum_names = {e[0] for e in enums}
    struct_names = {n for _, names in STRUCTS for n in names}
    lines = [
        '"""Records and vocabularies of needbridge, mirrored from the core\'s Rust types.',
        "",
        "Generated by ``bindings-python/gen_models.py`` from the core's sources: do not edit.",
        "Every record is a frozen dataclass with ``to_dict()``; every vocabulary a ``str``",
        'enum whose values are the core\'s stable codes."""',
        "",
        "# fmt: off",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass",
        "from datetime import datetime",
        "from enum import Enum",
        "from typing import Any, ClassVar, Dict, List, Optional, Tuple",
        "from uuid import UUID",
        "",
        "from ._types import Actor, Claimant, Record",
        "",
        "__all__ = [",
    ]
    names = [e[0] for e in enums] + [n for _, ns in STRUCTS for n in ns]
    lines += [f'    "{n}",' for n in names] + ["]", ""]
    for name, doc, variants in enums:
        lines += ["", f"class {name}(str, Enum):", f'    """{doc}"""', ""]
        for rust_variant, code, vdoc in variants:
            const = re.sub(r"(?<!^)(?=[A-Z])", "_", rust_variant).upper()
            lines.append(f'    {const} = "{code}"')
            if vdoc:
                lines.append(f'    """{vdoc}"""')
        lines += ["", "    def __str__(self) -> str:", "        return str(self.value)", ""]
    for path, structs in STRUCTS:
        src = (ROOT / path).read_text()
        for name in structs:
            doc, fields = parse_struct(src, name)
            lines += ["", "@dataclass(frozen=True)", f"class {name}(Record):", f'    """{doc}"""', ""]
            renamed = {f"{f}_": f for f, _, _ in fields if keyword.iskeyword(f)}
            if renamed:
                lines.append(f"    _renamed: ClassVar[Dict[str, str]] = {renamed!r}")
                lines.append('    """Python names of fields whose JSON names are Python keywords."""')
            for fname, rtype, fdoc in fields:
                if keyword.iskeyword(fname):
                    fname += "_"
                lines.append(f"    {fname}: {py_type(rtype, enum_names, struct_names)}")
                if fdoc:
                    lines.append(f'    """{fdoc}"""')
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


COMMANDS_OUT = OUT.parent / "_commands.py"


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def parse_commands() -> list[tuple[str, str, str, list[tuple[str, str, str]]]]:
    """Every command of ``core/src/command.rs``: (type name, doc, output type, fields as
    (name, Rust type, doc))."""
    src = (ROOT / "core/src/command.rs").read_text()
    body = src[src.index("commands! {") :]
    pattern = re.compile(
        r"((?:[ \t]*///[^\n]*\n)+)[ \t]*(\w+) => \"(\w+)\", (\w+) \{\n(.*?)\n[ \t]*\}", re.S
    )
    out = []
    for mt in pattern.finditer(body):
        doc = doc_block([l for l in mt.group(1).splitlines() if l.strip().startswith("///")])
        out.append((mt.group(2), doc, mt.group(4), parse_fields(mt.group(5), r"(\w+): (.+),$")))
    return out


def render_commands() -> str:
    """One method per command of the core (``command.rs``), keyword arguments only."""
    enums = {e[0] for e in parse_enums((ROOT / ENUMS_FILE).read_text())}
    structs = {n for _, names in STRUCTS for n in names}
    commands = parse_commands()
    lines = [
        '"""One method per command of the core, generated by ``bindings-python/gen_models.py``',
        'from ``core/src/command.rs``: do not edit."""',
        "",
        "# fmt: off",
        "from __future__ import annotations",
        "",
        "from datetime import datetime",
        "from typing import Any, List, Optional, Union",
        "from uuid import UUID",
        "",
        "from . import models as m",
        "from ._types import Actor, Claimant, _enum, _enums, _typed",
        "",
        "COMMANDS = [",
    ]
    lines += [f'    "{snake(c[0])}",' for c in commands] + ["]", "", "", "class _Commands:"]
    lines += ['    """The commands of :class:`needbridge.Hub` (each runs in one transaction and', '    appends one event)."""', ""]
    lines += ["    def _run(self, actor: Actor, command: str, out: Any, **fields: Any) -> Any:", "        raise NotImplementedError", ""]

    def qual(t: str) -> str:
        return re.sub(r"\b(" + "|".join(sorted(enums | structs)) + r")\b", r"m.\1", t)

    for name, doc, out, fields in commands:
        def hint(ft: str) -> str:
            t = qual(py_type(ft, enums, structs))
            # Enums are also accepted as their codes.
            return re.sub(r"\bm\.(" + "|".join(sorted(enums)) + r")\b", r"Union[m.\1, str]", t)

        params = ", ".join(
            f"{fn}: {hint(ft)}" + (" = None" if ft.startswith("Option<") else "")
            for fn, ft, _ in fields
        )
        sig = f"    def {snake(name)}(self, actor: Actor" + (f", *, {params}" if params else "") + f") -> m.{out}:"
        lines.append("    @_typed")
        lines.append(sig)
        lines.append(f'        """{doc}')
        if fields:
            lines.append("")
            lines.append("        Args:")
            lines.append("            actor: who acts.")
            for fn, _, fd in fields:
                lines.append(f"            {fn}: {fd}")
        lines.append('        """')
        def arg(fn: str, ft: str) -> str:
            inner = re.fullmatch(r"(Option|Vec)<(\w+)>", ft)
            base = inner.group(2) if inner else ft
            if base not in enums:
                return fn
            if inner and inner.group(1) == "Vec":
                return f'_enums(m.{base}, {fn}, "{fn}")'
            if inner:
                return f'None if {fn} is None else _enum(m.{base}, {fn}, "{fn}")'
            return f'_enum(m.{base}, {fn}, "{fn}")'

        call = ", ".join(f"{fn}={arg(fn, ft)}" for fn, ft, _ in fields)
        lines.append(f'        return self._run(actor, "{snake(name)}", m.{out}' + (f", {call})" if call else ")"))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    outputs = [(OUT, render()), (COMMANDS_OUT, render_commands())]
    if "--check" in sys.argv:
        stale = [p for p, text in outputs if not p.exists() or p.read_text() != text]
        for p in stale:
            print(f"{p} is out of date: run python3 bindings-python/gen_models.py", file=sys.stderr)
        return 1 if stale else 0
    for p, text in outputs:
        p.write_text(text)
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
