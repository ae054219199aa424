"""Typed for strict users: code that uses the installed package passes ``mypy --strict``, and
a wrong call fails it (the Hub's signatures are checked, not ``Any``).

mypy runs as a user's would: over files outside the package, with no configuration of ours,
finding ``needbridge`` where pip installed it (``py.typed``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

pytest.importorskip("mypy")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "strict_portal.py"


def mypy_strict(tmp_path: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    # In an empty directory: no mypy configuration (ours is for the package itself) and no
    # source tree next to the file, so the package is the installed one.
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / ".mypy_cache")]
        + [str(f) for f in files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_example_passes_mypy_strict(tmp_path: Path) -> None:
    run = mypy_strict(tmp_path, EXAMPLE)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_example_runs(tmp_path: Path) -> None:
    for args in ([], [str(tmp_path / "portal.db")]):
        run = subprocess.run(
            [sys.executable, str(EXAMPLE), *args], capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, run.stderr
        assert "needs collected 1, verified 1" in run.stdout


# Each line marked `# E: code` must get that error from mypy --strict: were a signature or a
# record's field `Any`, the mistake would pass unseen.
WRONG = '''
from datetime import datetime, timedelta
from uuid import UUID

import needbridge as nb

hub = nb.Hub.in_memory()
system = nb.Actor.system()
some = UUID(int=1)
hub.unit(system, "not a uuid")  # E: arg-type
count: int = hub.units(system)  # E: assignment
hub.report(system, unit=some, since="2025-01-01")  # E: arg-type
nb.Fulfilment(items="书包")  # E: arg-type
nb.Fulfilment(minutes=30, colour="red")  # E: call-arg
hub.claim_need(system, need=some)  # E: call-arg
nb.Hub.open("x.db", synchronous="fast")  # E: arg-type
nb.Hub.open("x.db", create="yes")  # E: arg-type
nb.HubConfig(warn_before=3)  # E: arg-type
figures: str = hub.report(system, unit=some).data.by_committee[some]  # E: assignment
name: int = hub.report(system, unit=some).committee_names[some]  # E: assignment
hub.frame("needs", system, unit=some, engine="spark")  # E: call-overload
hub.frame("need", system, unit=some)  # E: call-overload
hub.close(1)  # E: call-arg
with nb.Hub.open("x.db") as h:
    bad: str = h.read_only  # E: assignment
hub.complete_claim(system, claim=some, fulfilment=nb.Fulfilment(items=[nb.Item(count="2", description="x")]))  # E: arg-type
hub.activities(system, held_from=datetime.now() - timedelta(days=1), limit="10")  # E: arg-type
err: nb.IllegalStateError = nb.InvalidInputError("x")  # E: assignment
'''


def test_wrong_calls_fail_mypy_strict(tmp_path: Path) -> None:
    source = tmp_path / "wrong.py"
    source.write_text(WRONG)
    run = mypy_strict(tmp_path, source)
    got: Dict[int, List[str]] = {}
    for line in run.stdout.splitlines():
        m = re.match(r".*wrong\.py:(\d+): error: .*\[([a-z-]+)\]$", line)
        if m:
            got.setdefault(int(m.group(1)), []).append(m.group(2))
    want = {
        i: code
        for i, text in enumerate(WRONG.splitlines(), start=1)
        for code in re.findall(r"# E: ([a-z-]+)", text)
    }
    assert want, "the cases"
    for line, code in want.items():
        assert code in got.get(line, []), (line, WRONG.splitlines()[line - 1], run.stdout)
    unexpected = {line: codes for line, codes in got.items() if line not in want}
    assert not unexpected, run.stdout
