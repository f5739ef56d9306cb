"""Stored deadlines follow the office's holiday table: saving counts in it, the editor's
preview and warnings use it, and a change of the table moves open requests' deadlines
(audited) but not those already judged."""

from __future__ import annotations

from datetime import date

from gongkai_desktop.domain.workdays import WorkCalendar
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records import calendar as work_calendar
from gongkai_desktop.services.records.deadlines import recompute_deadlines
from gongkai_desktop.services.records.service import RecordService

REQUEST = {
    "channel": "当面提交",
    "received_date": "2026-03-02",  # a Monday; no holiday until 清明 (4月4日)
    "applicant": "张某某",
    "applicant_type": "自然人",
    "content": "龙河水库水质监测报告",
}
# counted by hand from 3月3日: 3–6 (4), 9–13 (9), 16–20 (14), 23–27 (19), 30 (20)
DUE = "2026-03-30"


def test_saving_counts_in_the_office_table(ctx: AppContext, records: RecordService) -> None:
    assert records.create("disclosure_request", REQUEST).values["reply_deadline"] == DUE
    work_calendar.save_day(ctx, date(2026, 3, 10), False, "本地停电停工")
    second = records.create("disclosure_request", {**REQUEST, "applicant": "李某"})
    assert second.values["reply_deadline"] == "2026-03-31"


def test_preview_and_warnings_for_the_editor(ctx: AppContext, records: RecordService) -> None:
    raw = {**REQUEST, "extended": True}
    # 40th working day: 3月30日 is the 20th; 3月31日 (21) … 4月3日 (24), 4月7日–10日 (28),
    # 13–17 (33), 20–24 (38), 27 (39), 28 (40)
    assert records.preview("disclosure_request", raw)["reply_deadline"] == "2026-04-28"
    assert records.deadline_warnings("disclosure_request", raw) == {}
    far = {**REQUEST, "received_date": "2100-03-01"}
    warnings = records.deadline_warnings("disclosure_request", far)
    assert list(warnings) == ["reply_deadline"]
    assert "2100年的节假日安排未知" in warnings["reply_deadline"][0]
    out = {**REQUEST, "consultations": [{"party": "县自然资源局", "sent_date": "2026-03-05"}]}
    [note] = records.deadline_warnings("disclosure_request", out)["reply_deadline"]
    assert "尚未收回" in note
    # half-typed input is not an error here: the field simply has no deadline yet
    assert records.deadline_warnings("disclosure_request", {"received_date": "2026-0"}) == {}
    item = {"title": "通知", "category": "统计信息", "generated_date": "2100-05-03"}
    assert list(records.deadline_warnings("disclosure_item", item)) == ["publish_due"]


def test_a_table_change_moves_open_deadlines_only(ctx: AppContext, records: RecordService) -> None:
    open_one = records.create("disclosure_request", REQUEST)
    answered = records.create(
        "disclosure_request",
        {
            **REQUEST,
            "applicant": "李某",
            "outcome": "（一）予以公开",
            "reply_date": "2026-03-20",
            "delivery_method": "直接送达",
            "delivered_date": "2026-03-20",
            "status": "已办结",
        },
    )
    item = records.create(
        "disclosure_item",
        {"title": "通知", "category": "统计信息", "generated_date": "2026-03-02"},
    )
    assert item.values["publish_due"] == DUE
    assert recompute_deadlines(ctx) == 0  # nothing changed: nothing written

    # the table change moves them in its own transaction; nothing is left to do after
    work_calendar.save_day(ctx, date(2026, 3, 10), False, "本地停电停工")
    assert recompute_deadlines(ctx) == 0
    moved = records.get(open_one.id)
    assert moved.values["reply_deadline"] == "2026-03-31"
    assert moved.version == open_one.version + 1
    assert records.get(item.id).values["publish_due"] == "2026-03-31"
    kept = records.get(answered.id)
    assert kept.values["reply_deadline"] == DUE and kept.values["timeliness"] == "按期"
    assert kept.version == answered.version
    [entry] = [h for h in records.history(open_one.id) if h.action == "重算期限"]
    assert entry.field == "法定答复期限"
    assert (entry.old, entry.new) == ("2026年3月30日", "2026年3月31日")
    # counted in another calendar (the national one alone) the two open deadlines move
    # back, and in the office's again forward: two records each time
    assert recompute_deadlines(ctx, WorkCalendar()) == 2
    assert records.get(open_one.id).values["reply_deadline"] == DUE
    assert recompute_deadlines(ctx) == 2
    assert records.get(item.id).values["publish_due"] == "2026-03-31"


def test_dashboard_counts_a_consultation_still_out_through_today(
    ctx: AppContext, records: RecordService
) -> None:
    """Received Mon 2026-01-05; 征求意见 sent on the 18th working day (Thu 1/29), not back.
    On Tue 2/3 the wait so far is 1/30, 2/2, 2/3 (3 days): the deadline is the 23rd working
    day, Thu 2/5 (20th 2/2, 21st 2/3, 22nd 2/4) — 2 working days left. The stored value was
    counted through the day it was saved, so the 工作台 counts again."""
    from gongkai_desktop.services.reports.dashboard import DashboardService

    made = records.create(
        "disclosure_request",
        {
            **REQUEST,
            "received_date": "2026-01-05",
            "correction_notice_date": "2026-01-07",
            "consultations": [{"party": "县水利局", "sent_date": "2026-01-29"}],
        },
    )
    board = DashboardService(ctx).overview(date(2026, 2, 3)).disclosure
    [entry] = board.replies_due_soon
    assert entry.id == made.id
    assert (entry.deadline, entry.workdays_left) == (date(2026, 2, 5), 2)
    # answered consultations are taken as stored
    records.update(
        made.id,
        {
            "consultations": [
                {"party": "县水利局", "sent_date": "2026-01-29", "returned_date": "2026-02-02"}
            ]
        },
        made.version,
    )
    board = DashboardService(ctx).overview(date(2026, 2, 3)).disclosure
    [entry] = board.replies_due_soon
    assert entry.deadline == date(2026, 2, 4)  # 1/30 and 2/2 added: the 22nd working day


def test_imported_requests_count_in_the_office_table(
    ctx: AppContext, records: RecordService, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """A ledger brought from another PC: its requests' deadlines are counted again in
    this office's table (Tue 3/10 off → the 20th working day after 3/2 is 3/31)."""
    from gongkai_desktop.data.repository import RecordQuery
    from gongkai_desktop.domain.periods import parse_period
    from gongkai_desktop.services.ledgers.export import LedgerExporter
    from gongkai_desktop.services.ledgers.intake.importer import commit, preview

    made = records.create("disclosure_request", REQUEST)
    out = tmp_path / "依申请公开登记台账.xlsx"
    LedgerExporter(ctx).export("disclosure_requests", parse_period("2026-03"), out)
    records.delete(made.id)
    work_calendar.save_day(ctx, date(2026, 3, 10), False, "本地停电停工")
    result = commit(ctx, preview(ctx, "disclosure_requests", out))
    assert result.added == 1
    [row] = records.page(RecordQuery("disclosure_request"), 0, 10)
    assert row.id != made.id
    assert records.get(row.id).values["reply_deadline"] == "2026-03-31"
