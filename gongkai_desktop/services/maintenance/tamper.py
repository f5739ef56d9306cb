"""Tamper evidence for ``gongkai check`` and the check after start: the audit log's hash
chain, its protecting triggers and continuous ids, and the records' checksums.

What is found is reported and written to the app log, never repaired: nothing here
re-hashes, so a later check reports the same damage again.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from gongkai_desktop.data.engine import is_damage
from gongkai_desktop.data.integrity import ChainReport, verify_chain, verify_checksums
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.maintenance.damage import damaged_error

log = logging.getLogger(__name__)

LISTED_RECORDS = 50  # mismatching records named one by one; more are counted


@contextmanager
def _reading(ctx: AppContext) -> Iterator[Any]:
    """The pool's DB-API connection in autocommit: plain reads, no write transaction."""
    with ctx.engine.connect() as conn:
        try:
            yield conn.connection.driver_connection
        except sqlite3.DatabaseError as exc:  # the raw driver: no handle_error on the way
            if is_damage(exc):
                raise damaged_error(ctx.db_path, exc) from exc
            raise


def local_time(at: str) -> str:
    """A stored UTC time (text) as the clerk's local time, to the second."""
    try:
        when = datetime.fromisoformat(at).replace(tzinfo=UTC).astimezone()
    except ValueError:
        return at
    return when.strftime("%Y-%m-%d %H:%M:%S")


def chain_problems(report: ChainReport) -> list[str]:
    """The Chinese findings of a chain verification (empty: the log is intact)."""
    problems = []
    if report.missing_triggers:
        problems.append(
            "修改记录保护已被移除：数据库中缺少触发器 "
            f"{'、'.join(report.missing_triggers)}，修改记录可被改动或删除。"
        )
    bad = report.first_break
    if bad is not None:
        what = (
            "缺少防篡改校验值"
            if bad.reason == "missing"
            else "与此前的记录对不上（有记录被删除、修改或调换过）"
        )
        problems.append(
            f"修改记录被改动：第 {bad.position} 条（id {bad.entry_id}，时间 {local_time(bad.at)}）起"
            f"{what}，这一条及其后的修改记录不可信。"
        )
    for first, last in report.gaps:
        span = f"id {first}" if first == last else f"id {first}–{last}"
        problems.append(f"修改记录被改动：缺少 {span}（共 {last - first + 1} 条），已被删除。")
    return problems


def verify_audit_chain(ctx: AppContext) -> list[str]:
    """Verify the audit chain, triggers and ids; the problems found (logged)."""
    with _reading(ctx) as raw:
        problems = chain_problems(verify_chain(raw))
    for problem in problems:
        log.warning("check of %s: %s", ctx.db_path, problem)
    return problems


def verify_record_checksums(ctx: AppContext) -> list[str]:
    """Records whose content no longer matches its checksum (changed outside the app),
    by form title, record title and id; the problems found (logged)."""
    with _reading(ctx) as raw:
        bad = verify_checksums(raw)
    problems = []
    for row in bad[:LISTED_RECORDS]:
        form = ctx.registry.forms.get(row.form_id)
        title = form.title if form is not None else row.form_id
        problems.append(
            f"记录内容与校验值不符（在本软件之外被改动过）：{title}“{row.title}”（{row.record_id}）"
        )
    if len(bad) > LISTED_RECORDS:
        problems.append(
            f"另有 {len(bad) - LISTED_RECORDS} 条记录的内容与校验值不符（共 {len(bad)} 条）。"
        )
    for problem in problems:
        log.warning("check of %s: %s", ctx.db_path, problem)
    return problems
