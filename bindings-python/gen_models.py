#!/usr/bin/env python3
"""Generates ``python/needbridge/models.py`` and ``_commands.py`` from the core's description.

The description (``bindings/description.json``) is written by the core itself from its types
(``core/src/describe.rs``, the ``needbridge-describe`` binary): every command with its event kind
and output, every record and vocabulary, with their doc comments. The Python records and enums
mirror it field for field, with the core's doc comments as docstrings. Run
``python3 bindings-python/gen_models.py`` after changing a model type or a command (it first
rewrites the description when ``cargo`` is at hand); ``--check`` (run by the tests) fails when
the description or a checked-in file is out of date.
"""

from __future__ import annotations

import functools
import json
import keyword
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "python" / "needbridge" / "models.py"
DESCRIPTION = ROOT / "bindings" / "description.json"

# Described types that map to hand-written types (see _types.py).
SPECIAL = {"Claimant": "Claimant", "Actor": "Actor"}

# Defaults of fields the core requires but a caller building the record may leave empty
# (Python literals). The core reads every one of these fields without a default, so the
# description has none to give; a default the description does give (``"default"`` in a
# field's schema) is used as well, and so is ``None`` for an optional field of a record a
# command takes (see ``defaults``).
DEFAULTS: dict[str, dict[str, str]] = {
    "Fulfilment": {
        "money_fen": "0",
        "items": "[]",
        "minutes": "0",
        "people_served": "0",
        "evidence": "[]",
        "note": '""',
        "roster": "[]",
    },
    # An open period: ``Period()`` is all time, ``Period(from_=t)`` from ``t`` on.
    "Period": {"from": "None", "to": "None"},
}

# Maps keyed by ids, which the core writes as text: their keys become ``uuid.UUID`` like
# every other id of a record (``report.data.by_committee[committee.id]``).
ID_KEYS = {
    ("ReportData", "by_committee"),
    ("ReportData", "by_grid"),
    ("ReportData", "activities_by_grid"),
    ("Report", "committee_names"),
    ("Report", "grid_names"),
}

# Hand-written base classes a record also derives from (``_views.py``): behaviour only, no
# fields (the Jupyter view of a report).
BASES = {"Report": "_ReportView"}

Schema = dict[str, Any]


def describe(check: bool) -> int:
    """Runs the core's ``needbridge-describe``: writes ``bindings/description.json``, or with
    ``check`` fails when it is stale. Set NEEDBRIDGE_SKIP_DESCRIBE=1 to trust the file as it is."""
    if os.environ.get("NEEDBRIDGE_SKIP_DESCRIBE"):
        return 0
    cmd = ["cargo", "run", "-q", "--locked", "-p", "needbridge", "--no-default-features",
           "--features", "describe", "--bin", "needbridge-describe"] + (["--", "--check"] if check else [])
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        stale = [line for line in run.stderr.splitlines() if "out of date" in line]
        sys.stderr.write("\n".join(stale) + "\n" if stale else run.stderr[-4000:])
    return run.returncode


@functools.cache
def desc() -> Schema:
    """The description, read once (after ``main`` has rewritten it)."""
    return json.loads(DESCRIPTION.read_text())


def defs() -> dict[str, Schema]:
    return desc()["definitions"]


def records() -> list[str]:
    """The described records and read results, in output order."""
    return desc()["records"]


def vocabularies() -> list[str]:
    return [v["name"] for v in desc()["vocabularies"]]


def commands() -> list[Schema]:
    """Every command: ``name`` (its type), ``command`` (its tag), ``event``, ``output``."""
    return desc()["commands"]


def doc_block(text: str | None) -> str:
    text = " ".join(line.strip() for line in (text or "").split("\n"))
    text = re.sub(r"\[`([^`]+)`\]\([^)]*\)", r"``\1``", text)
    text = re.sub(r"\[`([^`]+)`\]", r"``\1``", text)
    text = text.replace('"""', "'''")
    text = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)
    return text


def ref(s: Schema) -> str | None:
    return s["$ref"].rsplit("/", 1)[1] if "$ref" in s else None


def optional(s: Schema) -> Schema | None:
    """The schema inside an ``Option`` (``None`` when ``s`` is not nullable)."""
    if "anyOf" in s:
        rest = [x for x in s["anyOf"] if x.get("type") != "null"]
        if len(rest) == 1 and len(rest) < len(s["anyOf"]):
            return rest[0]
    t = s.get("type")
    if isinstance(t, list) and "null" in t:
        inner = {k: v for k, v in s.items() if k != "description"}
        rest = [x for x in t if x != "null"]
        inner["type"] = rest[0] if len(rest) == 1 else rest
        return inner
    return None


def is_id(s: Schema) -> bool:
    name = ref(s)
    target = defs()[name] if name else s
    return target.get("type") == "string" and target.get("format") == "uuid"


def fields(name: str) -> list[tuple[str, Schema, str]]:
    """A described record's (or command's) fields, in declaration order: (name, schema, doc)."""
    d = defs()[name]
    return [(f, s, doc_block(s.get("description"))) for f, s in d.get("properties", {}).items()]


def variants(name: str) -> list[tuple[str, str, str]]:
    """A vocabulary's values: (Rust name, code, doc)."""
    d = defs()[name]
    docs = {x["const"]: x.get("description") for x in d.get("oneOf", [])}
    voc = next(v for v in desc()["vocabularies"] if v["name"] == name)
    return [(v["name"], v["code"], doc_block(docs.get(v["code"]))) for v in voc["values"]]


@functools.cache
def inputs() -> frozenset[str]:
    """The records a caller builds: those a command takes, and the records inside them."""
    out: set[str] = set()

    def walk(s: Any) -> None:
        if isinstance(s, dict):
            name = ref(s) if "$ref" in s else None
            if name and name in records() and name not in out:
                out.add(name)
                walk(defs()[name])
            for v in s.values():
                walk(v)
        elif isinstance(s, list):
            for v in s:
                walk(v)

    for c in commands():
        walk(defs()[c["name"]])
    return frozenset(out)


def defaults(name: str) -> dict[str, str]:
    """The default (a Python literal) of each field of record ``name`` that has one: from the
    ``DEFAULTS`` table, from the description (a ``"default"`` in the field's schema), and
    ``None`` for an optional field of a record a caller builds. Fields with a default must
    come after those without (a dataclass's rule): the generator stops if they do not."""
    d = defs()[name]
    required = set(d.get("required", []))
    table = DEFAULTS.get(name, {})
    out: dict[str, str] = {}
    for f, s in d.get("properties", {}).items():
        if f in table:
            out[f] = table[f]
        elif "default" in s:
            out[f] = repr(s["default"])
        elif name in inputs() and f not in required and optional(s) is not None:
            out[f] = "None"
    names = list(d.get("properties", {}))
    for before, after in zip(names, names[1:]):
        if before in out and after not in out:
            raise SystemExit(
                f"gen_models: {name}.{after} has no default but follows {name}.{before}, "
                "which has one: give it one in DEFAULTS"
            )
    for f in table:
        if f not in names:
            raise SystemExit(f"gen_models: DEFAULTS names {name}.{f}, which is no field")
    return out


def default_value(literal: str) -> str:
    """A dataclass field's default: a fresh list for each record, else the literal."""
    if literal == "[]":
        return "_field(default_factory=list)"
    if literal == "{}":
        return "_field(default_factory=dict)"
    return literal


def py_type(s: Schema) -> str:
    inner = optional(s)
    if inner is not None:
        return f"Optional[{py_type(inner)}]"
    if is_id(s):
        return "UUID"
    name = ref(s)
    if name:
        if name in SPECIAL:
            return SPECIAL[name]
        if name in vocabularies() or name in records():
            return name
        raise SystemExit(f"gen_models: no Python type for described type {name!r}")
    t = s.get("type")
    if "prefixItems" in s:
        return "Tuple[" + ", ".join(py_type(x) for x in s["prefixItems"]) + "]"
    if t == "array":
        return f"List[{py_type(s['items'])}]"
    if t == "object":
        extra = s.get("additionalProperties", True)
        return "Dict[str, Any]" if extra is True else f"Dict[str, {py_type(extra)}]"
    if t == "string":
        return "datetime" if s.get("format") == "date-time" else "str"
    if t == "integer":
        return "int"
    if t == "boolean":
        return "bool"
    raise SystemExit(f"gen_models: no Python type for schema {s!r}")


def render() -> str:
    lines = [
        '"""Records and vocabularies of needbridge, mirrored from the core\'s Rust types.',
        "",
        "Generated by ``bindings-python/gen_models.py`` from the core's description: do not edit.",
        "Every record is a frozen dataclass with ``to_dict()``; every vocabulary a ``str``",
        'enum whose values are the core\'s stable codes."""',
        "",
        "# fmt: off",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass, field as _field",
        "from datetime import datetime",
        "from enum import Enum",
        "from typing import Any, ClassVar, Dict, List, Optional, Tuple",
        "from uuid import UUID",
        "",
        "from ._types import Actor, Claimant, Record",
        "from ._views import " + ", ".join(sorted(set(BASES.values()))),
        "",
        "__all__ = [",
    ]
    names = vocabularies() + records()
    for rec, f in sorted(ID_KEYS):
        if f not in defs().get(rec, {}).get("properties", {}):
            raise SystemExit(f"gen_models: ID_KEYS names {rec}.{f}, which is no field")
    lines += [f'    "{n}",' for n in names] + ["]", ""]
    for name in vocabularies():
        doc = doc_block(defs()[name].get("description"))
        lines += ["", f"class {name}(str, Enum):", f'    """{doc}"""', ""]
        for rust_variant, code, vdoc in variants(name):
            const = re.sub(r"(?<!^)(?=[A-Z])", "_", rust_variant).upper()
            lines.append(f'    {const} = "{code}"')
            if vdoc:
                lines.append(f'    """{vdoc}"""')
        lines += ["", "    def __str__(self) -> str:", "        return str(self.value)", ""]
    for name in records():
        doc = doc_block(defs()[name].get("description"))
        bases = ", ".join(([BASES[name]] if name in BASES else []) + ["Record"])
        lines += ["", "@dataclass(frozen=True)", f"class {name}({bases}):", f'    """{doc}"""', ""]
        renamed = {f"{f}_": f for f, _, _ in fields(name) if keyword.iskeyword(f)}
        if renamed:
            lines.append(f"    _renamed: ClassVar[Dict[str, str]] = {renamed!r}")
            lines.append('    """Python names of fields whose JSON names are Python keywords."""')
        given = defaults(name)
        for fname, schema, fdoc in fields(name):
            t = py_type(schema)
            if (name, fname) in ID_KEYS:
                if not t.startswith("Dict[str, "):
                    raise SystemExit(f"gen_models: {name}.{fname} in ID_KEYS is no map")
                t = "Dict[UUID, " + t[len("Dict[str, "):]
            default = f" = {default_value(given[fname])}" if fname in given else ""
            if keyword.iskeyword(fname):
                fname += "_"
            lines.append(f"    {fname}: {t}{default}")
            if fdoc:
                lines.append(f'    """{fdoc}"""')
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


COMMANDS_OUT = OUT.parent / "_commands.py"


def render_commands() -> str:
    """One method per command of the core (``command.rs``), keyword arguments only."""
    enums = set(vocabularies())
    structs = set(records())
    lines = [
        '"""One method per command of the core, generated by ``bindings-python/gen_models.py``',
        'from the core\'s description of its commands: do not edit."""',
        "",
        "# fmt: off",
        "from __future__ import annotations",
        "",
        "from datetime import datetime",
        "from typing import Any, List, Optional, Sequence, Type, TypeVar, Union",
        "from uuid import UUID",
        "",
        "from . import models as m",
        "from ._types import Actor, Claimant, _enum, _enums, _typed",
        "",
        'R = TypeVar("R")',
        "",
        "COMMANDS = [",
    ]
    lines += [f'    "{c["command"]}",' for c in commands()] + ["]", "", "", "class _Commands:"]
    lines += ['    """The commands of :class:`needbridge.Hub` (each runs in one transaction and', '    appends one event)."""', ""]
    lines += ["    def _run(self, actor: Actor, command: str, out: Type[R], **fields: Any) -> R:", "        raise NotImplementedError", ""]

    def qual(t: str) -> str:
        return re.sub(r"\b(" + "|".join(sorted(enums | structs)) + r")\b", r"m.\1", t)

    for c in commands():
        name, out = c["command"], c["output"]
        doc = doc_block(defs()[c["name"]].get("description"))
        args = fields(c["name"])

        def hint(ft: Schema) -> str:
            t = qual(py_type(ft))
            # Enums are also accepted as their codes.
            return re.sub(r"\bm\.(" + "|".join(sorted(enums)) + r")\b", r"Union[m.\1, str]", t)

        def param(fn: str, ft: Schema) -> str:
            if keyword.iskeyword(fn):
                raise SystemExit(f"gen_models: {c['name']}.{fn} is a Python keyword: rename it in the core")
            if optional(ft) is not None:
                return f"{fn}: {hint(ft)} = None"
            if ft.get("type") == "array" and ft.get("default") == []:
                # A list the core defaults to empty: any sequence, none by default.
                return f"{fn}: {hint(ft).replace('List[', 'Sequence[', 1)} = ()"
            return f"{fn}: {hint(ft)}"

        params = ", ".join(param(fn, ft) for fn, ft, _ in args)
        sig = f"    def {name}(self, actor: Actor" + (f", *, {params}" if params else "") + f") -> m.{out}:"
        lines.append("    @_typed")
        lines.append(sig)
        lines.append(f'        """{doc}')
        if args:
            lines.append("")
            lines.append("        Args:")
            lines.append("            actor: who acts.")
            for fn, _, fd in args:
                lines.append(f"            {fn}: {fd}")
        lines.append('        """')
        def arg(fn: str, ft: Schema) -> str:
            opt, items = optional(ft), ft.get("items") if ft.get("type") == "array" else None
            base = ref(opt or items or ft)
            if base not in enums:
                return f"list({fn})" if ft.get("default") == [] else fn
            if items is not None:
                return f'_enums(m.{base}, {fn}, "{fn}")'
            if opt is not None:
                return f'None if {fn} is None else _enum(m.{base}, {fn}, "{fn}")'
            return f'_enum(m.{base}, {fn}, "{fn}")'

        call = ", ".join(f"{fn}={arg(fn, ft)}" for fn, ft, _ in args)
        lines.append(f'        return self._run(actor, "{name}", m.{out}' + (f", {call})" if call else ")"))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    check = "--check" in sys.argv
    if describe(check) != 0:
        return 1
    outputs = [(OUT, render()), (COMMANDS_OUT, render_commands())]
    if check:
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
