"""County mode of the main window and its 报送情况 page: the navigation follows 设置 →
本机用途, the grid shows the generated county's states with red overdue cells, and 导出
writes the .xlsx. A screenshot of the page is saved for the eye (COUNTY_SHOTS)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtGui import QColor

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.settings import USAGE_COUNTY, USAGE_TOWNSHIP, save_settings
from gongkai_desktop.ui.county.status_page import StatusPage
from gongkai_desktop.ui.main_window import MODULES, MainWindow

from ..unit.county_world import TODAY, build_county, expected_state
from .gui_helpers import shown

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]


def nav_titles(window: MainWindow) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def test_the_navigation_follows_the_usage_setting(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = shown(qtbot, MainWindow(ctx))
    assert nav_titles(window) == [m.title for m in MODULES]
    assert window.dashboard is not None
    window.show_module("设置")
    save_settings(ctx, {"usage": USAGE_COUNTY})
    window._settings_saved()
    titles = nav_titles(window)
    assert titles[0] == "报送情况" and "工作台" not in titles
    assert {"巡查检查", "台账导出", "报表", "设置"} <= set(titles)
    assert window.current_page() is window.settings_page
    assert window.dashboard is None
    page = window.show_module("报送情况")
    assert isinstance(page, StatusPage)
    save_settings(ctx, {"usage": USAGE_TOWNSHIP})
    window._settings_saved()
    assert nav_titles(window) == [m.title for m in MODULES]


def test_a_county_database_opens_on_the_grid(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    build_county(ctx)
    window = shown(qtbot, MainWindow(ctx))
    assert window.county and nav_titles(window)[0] == "报送情况"
    assert window.current_page() is window.status_page


def test_grid_page_shows_states_and_red_overdue_cells(
    qtbot, ctx: AppContext, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    plans = sorted(build_county(ctx), key=lambda p: p.code)
    page = StatusPage(ctx, today=TODAY)
    page.resize(1300, 900)
    shown(qtbot, page)
    assert page.grid is not None and page.grid.period == parse_period("2026-11")
    table = page.table
    forms = [f.id for f in ctx.registry]
    assert table.rowCount() == len(plans) + 1
    assert table.horizontalHeaderItem(1).text() == ctx.registry.form(forms[0]).title
    red = QColor("#FFC7CE")
    for r, plan in enumerate(plans):
        assert table.item(r, 0).text() == plan.name
        for c, form_id in enumerate(forms, start=1):
            state, records = expected_state(plan, 11, form_id, TODAY)
            item = table.item(r, c)
            assert item.text() == (state if records is None else f"{state}（{records}条）")
            is_red = item.background().color() == red
            assert is_red == (state in ("未报", "迟报")), (plan.code, form_id)
    assert table.item(len(plans), 0).text() == "合计"
    # by township: a township missing the month is one, whatever its forms
    missing = sum(not p.packages.get(11) for p in plans)
    late = sum(
        bool(p.packages.get(11))
        and (min(k.created for k in p.packages[11]) + timedelta(hours=8)).date() > date(2026, 12, 5)
        for p in plans
    )
    returned = sum(any(not n.fixed and n.record_day.month == 11 for n in p.notes) for p in plans)
    summary = page.summary.text()
    assert f"迟报{late}个" in summary and f"逾期未报{missing}个" in summary
    assert f"有退回修改的{returned}个" in summary
    shots = os.environ.get("COUNTY_SHOTS")
    if shots:
        page.grab().save(str(Path(shots) / "status_page.png"))
    # the year: townships × months
    page.period_chooser.set_kind("year")
    assert table.columnCount() == 1 + 12 + 5
    assert table.horizontalHeaderItem(12).text() == "12月"
    assert table.item(0, 12).text() == "待报"
    # 导出 writes the grid shown
    written = page.export_to(tmp_path / "年度报送情况")
    assert written == tmp_path / "年度报送情况.xlsx"
    ws = openpyxl.load_workbook(written).active
    assert ws["A1"].value == "青山县生态环境局2026年度报送情况"
    assert ws.cell(5, 1).value == plans[0].name
    assert "已导出" in page.message.text()
