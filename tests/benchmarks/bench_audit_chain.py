"""Migration 0009 and the tamper checks on a township year (issue 11, items 4 and 5).

    python tests/benchmarks/bench_audit_chain.py [RECORDS] [AUDIT_PER_RECORD]

Builds RECORDS records with ``report_world`` (default 100,000), puts the database back to
0008 and adds AUDIT_PER_RECORD audit entries per record (default 8, one per field as a
create or an import writes them), then times the upgrade to 0009 (backfilling the chain
and the checksums) and each check (``verify_audit_chain``, ``verify_record_checksums``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    import sqlite3

    import report_world
    from alembic import command

    from gongkai_desktop.data import migrate
    from gongkai_desktop.data.engine import create_db_engine
    from gongkai_desktop.services.maintenance.tamper import (
        verify_audit_chain,
        verify_record_checksums,
    )
    from gongkai_desktop.services.startup import open_context

    records = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    per_record = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    with tempfile.TemporaryDirectory(prefix="bench-chain-") as tmp:
        db = Path(tmp) / "gongkai.db"
        report_world.generate(db, records, date.today().year)
        engine = create_db_engine(db)
        cfg = migrate._config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0008")
        engine.dispose()
        conn = sqlite3.connect(db)
        with conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM records")]
            rows = [
                ("2026-12-07 08:00:00.000000", "clerk", "张三", rid, "inspection", "导入",
                 f"field{k}", None, f'"value {k}"')
                for rid in ids
                for k in range(per_record)
            ]  # fmt: skip
            conn.executemany(  # an empty list (AUDIT_PER_RECORD 0) inserts nothing
                "INSERT INTO audit_log (at, os_user, filler, record_id, form_id, action,"
                " field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        entries = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
        total = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        conn.close()
        engine = create_db_engine(db)
        start = time.perf_counter()
        migrate.upgrade(engine)
        upgraded = time.perf_counter() - start
        engine.dispose()
        ctx = open_context(db, auto_backup=False)
        try:
            start = time.perf_counter()
            chain = verify_audit_chain(ctx)
            chain_s = time.perf_counter() - start
            start = time.perf_counter()
            sums = verify_record_checksums(ctx)
            sums_s = time.perf_counter() - start
        finally:
            ctx.close()
    print(f"{total} records, {entries} audit entries")
    print(f"upgrade 0008 -> 0009 (backfill): {upgraded:.1f} s")
    print(f"verify_audit_chain: {chain_s:.1f} s, problems {len(chain)}")
    print(f"verify_record_checksums: {sums_s:.1f} s, problems {len(sums)}")


if __name__ == "__main__":
    main()
