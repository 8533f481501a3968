"""What encryption at rest costs (issue #10): open, first list page and first count of a plain
database next to an SQLCipher copy of it, each in a fresh process, alternated, medians. Then what
the desk's later read jobs pay: they borrow the connection an earlier job kept
(jobs/runner.ReaderPool): the same page and count again on it ("kept"), and again after another
connection committed a change, which empties a connection's page cache ("after a write").

    python tests/perf/bench_encryption.py [--db PLAIN.db] [--rounds 7]

Without ``--db`` it uses the county demo the main bench caches (~/.cache/xianghe-desk-bench).
Copies go to a temporary folder; the database given is only read.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path.home() / ".cache" / "xianghe-desk-bench" / "county.db"

CHILD = r"""
import json, sys, time
from pathlib import Path
from xianghe_desk.domain.queries import RequestFilter, Sort
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.keys import DatabaseKey
path = Path(sys.argv[1])
key = DatabaseKey(bytes.fromhex(sys.argv[2])) if sys.argv[2] != "-" else None
t1 = time.perf_counter()
ws = Workspace.open(path, key=key)
t2 = time.perf_counter()
service = RequestService(ws)
rows = service.page(RequestFilter(), Sort(), 200)
t3 = time.perf_counter()
total = service.count(RequestFilter())
t4 = time.perf_counter()
out = {"open": t2 - t1, "page": t3 - t2, "count": t4 - t3, "rows": len(rows), "total": total}

def again(name):
    t1 = time.perf_counter()
    ws.reuse(ws.clock)
    service = RequestService(ws)
    service.page(RequestFilter(), Sort(), 200)
    service.count(RequestFilter())
    out[name] = time.perf_counter() - t1

again("kept")
other = Workspace.open(path, key=key)
with other.atomic():
    other.settings.set("bench_touch", t4)
other.close()
again("after_write")
ws.close()
print(json.dumps(out))
"""


def prepare(source: Path, folder: Path) -> tuple[Path, Path, str]:
    """A migrated plain copy of ``source`` and an encrypted copy of that; the key in hex."""
    from xianghe_desk.services.workspace import Workspace
    from xianghe_desk.store.cipher import export_encrypted
    from xianghe_desk.store.keys import DatabaseKey

    plain, encrypted = folder / "plain.db", folder / "encrypted.db"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(plain)
    src.backup(dst)
    dst.close()
    src.close()
    Workspace.open(plain).close()  # this version's schema
    key = DatabaseKey.generate()
    export_encrypted(plain, encrypted, key, exclusive=True)
    return plain, encrypted, key.raw.hex()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=CACHE)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not args.db.exists():
        print(
            f"no database at {args.db}: run tests/perf/bench.py --scale county once, or give --db",
            file=sys.stderr,
        )
        return 2
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        plain, encrypted, key = prepare(args.db, Path(tmp))
        runs: dict[str, list[dict[str, float]]] = {"plain": [], "encrypted": []}
        for i in range(args.rounds):
            order = [("plain", plain, "-"), ("encrypted", encrypted, key)]
            for name, path, secret in order[:: -1 if i % 2 else 1]:
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, str(path), secret], capture_output=True, text=True, env=env
                )
                if done.returncode:
                    print(done.stderr, file=sys.stderr)
                    return 1
                runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert runs["plain"][0]["total"] == runs["encrypted"][0]["total"]
    print(f"{runs['plain'][0]['total']} requests; medians of {args.rounds} fresh processes each")
    for what in ("open", "page", "count"):
        a = statistics.median(r[what] for r in runs["plain"]) * 1000
        b = statistics.median(r[what] for r in runs["encrypted"]) * 1000
        print(f"  {what:6s} plain {a:7.1f} ms   encrypted {b:7.1f} ms   {100 * (b - a) / a:+5.0f} %")
    a = statistics.median(r["page"] + r["count"] for r in runs["plain"]) * 1000
    b = statistics.median(r["page"] + r["count"] for r in runs["encrypted"]) * 1000
    print(f"  first page + count: plain {a:.1f} ms, encrypted {b:.1f} ms ({100 * (b - a) / a:+.0f} %)")
    for what, label in (("kept", "on a kept connection"), ("after_write", "kept, after a write")):
        a = statistics.median(r[what] for r in runs["plain"]) * 1000
        b = statistics.median(r[what] for r in runs["encrypted"]) * 1000
        print(f"  page + count {label}: plain {a:.1f} ms, encrypted {b:.1f} ms ({100 * (b - a) / a:+.0f} %)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
