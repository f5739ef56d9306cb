"""信息公开 in the real widgets: no 已公开 without passing 保密审查, the 法定答复期限
following the dates as they are typed (with an amber warning for a year no calendar
covers), and the 工作台 listing overdue and soon-due replies, 补正 notices and 主动公开
items, counted in working days from a fixed "today"."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.dashboard import DashboardPage

from .test_dashboard import row_texts
from .test_work_records import (
    choose_yes_no,
    click,
    ctrl_s,
    open_editor,
    retype,
    type_date,
    type_into,
)

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]

TODAY = date(2026, 3, 16)  # a Monday
APPLICANT = {"channel": "当面提交", "applicant_type": "自然人", "content": "水质监测报告"}


def request(records: RecordService, number: str, received: str, **values: object) -> str:
    raw = {**APPLICANT, "request_no": number, "applicant": f"申请人{number}"}
    return records.create("disclosure_request", {**raw, "received_date": received, **values}).id


def test_publishing_needs_a_passed_review(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "disclosure_item")
    type_into(editor, "title", "关于秸秆禁烧的通告")
    type_into(editor, "category", "统计信息")
    retype(editor, "status", "已公开")
    type_date(qtbot, editor, "published_date", date.today())
    ctrl_s(qtbot, editor)
    assert "未通过保密审查的信息不能标为“已公开”" in editor.field_error("status")
    assert editor.cells["status"].error_label.isVisible()
    assert editor.isVisible()
    assert records.count(RecordQuery(form_id="disclosure_item")) == 0  # nothing saved

    type_into(editor, "review_result", "审查通过")
    type_into(editor, "reviewer", "刘副镇长")
    type_date(qtbot, editor, "review_date", date.today())
    ctrl_s(qtbot, editor)
    qtbot.waitUntil(lambda: not editor.isVisible())
    [saved] = records.views(RecordQuery(form_id="disclosure_item"), 10)
    assert (saved.values["status"], saved.values["review_result"]) == ("已公开", "审查通过")
    assert saved.values["timeliness"] == "按时公开"


def test_the_reply_deadline_follows_the_dates_as_they_are_typed(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "disclosure_request")
    shown = editor.editors["reply_deadline"].focus_target()
    click(qtbot, editor.editors["received_date"].clear_button)  # type: ignore[attr-defined]
    assert shown.text() == ""
    # DOMAIN §5, counted by hand: received 2026-02-13 → the 20th working day is 3月19日
    type_date(qtbot, editor, "received_date", date(2026, 2, 13))
    assert shown.text() == "2026年3月19日"
    assert editor.field_warning("reply_deadline") == ""
    # extended: 40th working day; 3月20日 (21) … 4月3日 (31), 清明 4–6, 4月7日 … 17日 (40)
    choose_yes_no(editor, "extended", True)
    assert shown.text() == "2026年4月17日"
    # a 补正 restarts the count from the corrected application
    type_date(qtbot, editor, "correction_notice_date", date(2026, 2, 24))
    type_date(qtbot, editor, "correction_received_date", date(2026, 3, 2))
    choose_yes_no(editor, "extended", False)
    # from 3月2日: 3–6 (4), 9–13 (9), 16–20 (14), 23–27 (19), 30 (20)
    assert shown.text() == "2026年3月30日"


def test_a_year_no_calendar_covers_shows_an_amber_warning(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "disclosure_request")
    click(qtbot, editor.editors["received_date"].clear_button)  # type: ignore[attr-defined]
    type_date(qtbot, editor, "received_date", date(2100, 3, 1))
    warning = editor.cells["reply_deadline"].warning_label
    assert warning.isVisible()
    assert "2100年的节假日安排未知" in editor.field_warning("reply_deadline")
    assert editor.editors["reply_deadline"].focus_target().text().startswith("2100年3月")
    click(qtbot, editor.editors["received_date"].clear_button)  # type: ignore[attr-defined]
    type_date(qtbot, editor, "received_date", date(2026, 3, 2))
    assert not warning.isVisible()


def test_the_notice_button_only_for_saved_requests(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "disclosure_request")
    assert not editor.notice_button.isVisible()
    saved = open_editor(qtbot, records, "disclosure_request", request(records, "Y1", "2026-03-02"))
    assert saved.notice_button.isVisible()
    item = open_editor(qtbot, records, "disclosure_item")
    assert not item.notice_button.isVisible()


@pytest.fixture
def due_work(records: RecordService) -> dict[str, str]:
    """Requests and items around TODAY; the deadlines counted by hand (2026: 春节 2月15日
    –23日, 调休上班 2月14日 and 28日)."""
    return {
        # received 2月2日 → 20th working day 3月6日; 3月9日–13日, 16日: 6 working days late
        "overdue": request(records, "YSQ-逾期", "2026-02-02"),
        # received 2月13日 → 3月19日: 17, 18, 19 left
        "soon": request(records, "YSQ-将到期", "2026-02-13"),
        # received 3月12日, no 补正 yet: the notice is due 3月23日 (13, 16–20, 23): 5 left
        "correction": request(records, "YSQ-补正", "2026-03-12"),
        # answered: listed nowhere, however late
        "answered": request(
            records,
            "YSQ-已答复",
            "2026-01-05",
            outcome="（一）予以公开",
            reply_date="2026-01-20",
            status="已办结",
        ),
        # deadline in 2027, a year chinese-calendar does not know
        "next_year": request(
            records, "YSQ-跨年", "2026-12-21", correction_notice_date="2026-12-22"
        ),
        # generated 2月2日 → 公开时限 3月6日, still 拟公开: 6 working days late
        "item": records.create(
            "disclosure_item",
            {"title": "镇2026年环境整治方案", "category": "规划", "generated_date": "2026-02-02"},
        ).id,
    }


def test_dashboard_lists_disclosure_deadlines(qtbot, records, due_work) -> None:  # type: ignore[no-untyped-def]
    page = DashboardPage(records, today=lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(1280, 900)
    page.show()
    qtbot.waitExposed(page)
    assert page.reply_overdue_section.record_ids() == [due_work["overdue"]]
    [late] = row_texts(page.reply_overdue_section)
    assert "YSQ-逾期" in late and "2026年3月6日" in late and "已逾期6个工作日" in late
    assert page.reply_due_section.record_ids() == [due_work["soon"]]
    [soon] = row_texts(page.reply_due_section)
    assert "2026年3月19日" in soon and "还剩3个工作日" in soon
    assert page.correction_section.record_ids() == [due_work["correction"]]
    [notice] = row_texts(page.correction_section)
    assert "2026年3月23日" in notice and "还剩5个工作日" in notice
    assert page.item_overdue_section.record_ids() == [due_work["item"]]
    [item] = row_texts(page.item_overdue_section)
    assert "2026年3月6日" in item and "已逾期6个工作日" in item
    assert page.calendar_label.isVisible()
    assert "法定答复期限落在2027年" in page.calendar_label.text()
    assert not page.disclosure_empty_label.isVisible()

    with qtbot.waitSignal(page.record_open_requested) as opened:
        tree = page.reply_overdue_section.tree
        tree.setCurrentItem(tree.topLevelItem(0))
        tree.itemActivated.emit(tree.topLevelItem(0), 0)
    assert opened.args == [due_work["overdue"]]


def test_dashboard_without_disclosure_work_is_quiet(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    page = DashboardPage(records, today=lambda: TODAY)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    assert page.disclosure_empty_label.isVisible()
    assert not any(s.isVisible() for s in page.disclosure_sections)
    assert not page.calendar_label.isVisible()  # 2026 is known to the program
