"""Helpers of the work-record tests (inspection, outreach event, rectification task).

They read the SQLite file with the sqlite3 module, not through the code under test, and
run the CLI in-process.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gongkai_desktop import cli

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def fresh_log_handler() -> Iterator[None]:
    """main() installs the log file handler once per process; give each test its own."""

    def ours() -> list[logging.Handler]:
        return [h for h in logging.getLogger().handlers if getattr(h, "_gongkai", False)]

    root = logging.getLogger()
    level = root.level
    for handler in ours():
        root.removeHandler(handler)
        handler.close()
    yield
    for handler in ours():
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@pytest.fixture
def run(db_path: Path, capsys: pytest.CaptureFixture[str], fresh_log_handler: None) -> Run:
    """``gongkai --db DB ARGS…`` in-process: (exit code, stdout, stderr)."""

    def invoke(*argv: str, db: Path | None = db_path) -> tuple[int, str, str]:
        args = ["--db", str(db), *argv] if db is not None else list(argv)
        code = cli.main(args)
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def as_json(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False)


def cli_add(run: Run, form_id: str, values: dict[str, Any]) -> str:
    code, out, err = run("add", form_id, "--json", as_json(values))
    assert (code, err) == (0, ""), err
    return out.strip()


def cli_list(run: Run, form_id: str, *extra: str) -> list[dict[str, Any]]:
    code, out, err = run("list", form_id, "--json", *extra)
    assert (code, err) == (0, ""), err
    return [json.loads(line) for line in out.splitlines()]


def stored(path: Path, record_id: str) -> dict[str, Any]:
    """The record's row as SQLite holds it (data parsed from its JSON text)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM records WHERE id = ?", (record_id,)).fetchone()
    finally:
        conn.close()
    assert row is not None, record_id
    result = dict(row)
    result["data"] = json.loads(result["data"])
    return result


def audit_rows(path: Path, record_id: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute(
            "SELECT action, field, old_value, new_value FROM audit_log"
            " WHERE record_id = ? ORDER BY id",
            (record_id,),
        )
        return [dict(r) for r in found]
    finally:
        conn.close()


def record_count(path: Path, form_id: str) -> int:
    conn = sqlite3.connect(path)
    try:
        (count,) = conn.execute(
            "SELECT count(*) FROM records WHERE form_id = ?", (form_id,)
        ).fetchone()
    finally:
        conn.close()
    return int(count)


def site(name: str, site_type: str, village: str = "东村", **extra: Any) -> dict[str, Any]:
    return {"site_type": site_type, "name": name, "village": village, **extra}
