"""Migration 0008: a site's patrols in a period are counted by seeking in
``ix_records_site_form_date``, not by walking the period's patrols once per site."""

from __future__ import annotations

import sqlite3
from datetime import date

from sqlalchemy import event

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.reports.dashboard import DashboardService


def test_the_patrol_count_of_the_dashboard_seeks_by_site(ctx, db_path) -> None:  # type: ignore[no-untyped-def]
    statements: list[tuple[str, tuple]] = []

    @event.listens_for(ctx.engine, "before_cursor_execute")
    def _keep(_conn, _cursor, statement, params, _context, _many):  # type: ignore[no-untyped-def]
        statements.append((statement, params))

    service = DashboardService(ctx)
    today = date.today()
    quarter = parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    with ctx.transaction() as session:
        service._patrol_gaps(session, parse_period(f"{today:%Y-%m}"), quarter)
    [(sql, params)] = [s for s in statements if "count(*)" in s[0]]
    conn = sqlite3.connect(db_path)
    try:
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    finally:
        conn.close()
    counts = [step for step in plan if "records_2" in step]
    assert counts and all("ix_records_site_form_date (site_id=?" in step for step in counts), plan
