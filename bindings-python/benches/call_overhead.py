"""What a Python call adds to the native one (issue 7, item 7a), and how that grows after a
wait: claims alternate between the native method alone (its arguments built beforehand) and
the full ``Hub.claim_need`` (argument checks, the wrapper, building ``Actor`` and
``Claimant``), optionally with a pause before each call outside the timed part — the pause
stands in for the ``fsync`` SQLite waits on at ``synchronous`` FULL.

    python bindings-python/benches/call_overhead.py [--backend memory|sqlite] [--claims 600] \\
        [--pause 0.0004]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import needbridge as nb
from needbridge import models
from needbridge._types import _reader

from bench import world


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=["memory", "sqlite"], default="memory")
    ap.add_argument("--claims", type=int, default=600)
    ap.add_argument("--pause", type=float, default=0.0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        hub = nb.Hub.in_memory() if a.backend == "memory" else nb.Hub.open(str(Path(d) / "x.db"), create=True)
        ms, ns = world(hub, a.claims, a.claims)
        until = datetime.now(timezone.utc) + timedelta(days=30)
        out = _reader(models.Claim)
        native = full = 0.0
        for i in range(a.claims):
            m = ms[i]
            if a.pause:
                time.sleep(a.pause)
            if i % 2 == 0:
                actor, fields = nb.Actor.member(m), dict(need=ns[i], claimant=nb.Claimant.member(m), promised_by=until)
                t = time.perf_counter()
                hub._hub.run(actor, "claim_need", fields, out)
                native += time.perf_counter() - t
            else:
                t = time.perf_counter()
                hub.claim_need(nb.Actor.member(m), need=ns[i], claimant=nb.Claimant.member(m), promised_by=until)
                full += time.perf_counter() - t
        half = a.claims / 2
        print(
            f"{a.backend}, pause {a.pause * 1e3:.1f} ms: native {native / half * 1e6:.1f} µs, "
            f"full call {full / half * 1e6:.1f} µs, Python adds {(full - native) / half * 1e6:.1f} µs"
        )


if __name__ == "__main__":
    main()
