"""The county's 接收报送包, 冲突处理 and 乡镇管理 pages over real packages built by
townships: results per package (a refused one in red, nothing written), progress and
cancel off the GUI thread, a conflict decided field by field, a township added and its key
file written. A screenshot of the receive page is saved for the eye (COUNTY_SHOTS)."""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.submission.package import BuiltPackage, build_package
from gongkai_desktop.ui.county.conflicts_page import ConflictsPage
from gongkai_desktop.ui.county.receive_page import REFUSED_COLOUR, ReceivePage
from gongkai_desktop.ui.county.townships_page import TownshipsPage
from gongkai_desktop.ui.main_window import MainWindow

from ..unit.submission_helpers import Month, build_month, open_county, open_township
from .gui_helpers import shown, type_chinese

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]

NOVEMBER = parse_period("2026-11")
CREATED = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.county = open_county(tmp_path / "county" / "county.db")
        self.towns: list[AppContext] = []
        self.months: list[Month] = []
        self.packages: list[BuiltPackage] = []
        for n, name in enumerate(("龙河镇", "三元镇"), start=1):
            town = open_township(tmp_path / f"t{n}" / "t.db", self.county, n, name)
            self.months.append(build_month(town, tmp_path, seed=n))
            self.packages.append(build_package(town, NOVEMBER, tmp_path / f"t{n}", now=CREATED))
            self.towns.append(town)

    def close(self) -> None:
        for ctx in (*self.towns, self.county):
            ctx.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = World(tmp_path)
    yield built
    built.close()


def manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


def tampered(path: Path, target: Path) -> Path:
    """The package with one byte of its records changed (the zip stays readable)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("records"):
                data = data.replace("张三".encode(), "张四".encode(), 1)
            dst.writestr(info, data)
    return target


def record_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM records").fetchone()[0]
    finally:
        conn.close()


def test_receive_page_shows_each_package_and_refuses_a_tampered_one(
    qtbot,  # type: ignore[no-untyped-def]
    world: World,
) -> None:
    bad = tampered(world.packages[1].path, world.tmp / "改过的报送包.gkpkg")
    page = ReceivePage(world.county)
    page.resize(1200, 560)
    shown(qtbot, page)
    with qtbot.waitSignal(page.received, timeout=30000):
        page.receive([world.packages[0].path, bad, world.packages[1].path])
    qtbot.waitUntil(lambda: not page.busy)
    table = page.table
    assert table.rowCount() == 3
    first = manifest(world.packages[0].path)
    total = sum(first["record_counts"].values())
    row = [table.item(0, c).text() for c in range(1, 7)]
    assert row == ["龙河镇", "2026年11月", str(total), "0", "0", "0"]
    receipt = Path(table.item(0, 7).text())
    assert receipt.is_file() and receipt.suffix == ".gkrcpt"
    refused = table.item(1, 1)
    assert "已拒收" in refused.text() and "未写入任何数据" in refused.text()
    assert refused.foreground().color() == QColor(REFUSED_COLOUR)
    assert table.columnSpan(1, 1) == 7
    assert table.item(2, 1).text() == "三元镇"
    assert "拒收1个" in page.summary.text()
    second = manifest(world.packages[1].path)
    assert record_count(world.county.db_path) == total + sum(second["record_counts"].values())
    shots = os.environ.get("COUNTY_SHOTS")
    if shots:
        page.grab().save(str(Path(shots) / "receive_page.png"))
    # the same packages again: nothing new, said so
    with qtbot.waitSignal(page.received, timeout=30000):
        page.receive([world.packages[0].path])
    qtbot.waitUntil(lambda: not page.busy)
    assert table.item(0, 3).text() == "0" and table.item(0, 5).text() == str(total)
    assert table.item(0, 7).text().startswith("（此前已接收）")


def test_receive_page_marks_a_township_whose_history_broke(
    qtbot,  # type: ignore[no-untyped-def]
    world: World,
) -> None:
    """A township entry deleted before the package was built: received, with the
    township in red, the reason in its tooltip and the summary naming it."""
    town = world.towns[1]
    conn = sqlite3.connect(town.db_path)
    with conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE id = 3")
    conn.close()
    package = build_package(town, parse_period("2026-12"), world.tmp / "t2")
    page = ReceivePage(world.county)
    page.resize(1200, 560)
    shown(qtbot, page)
    with qtbot.waitSignal(page.received, timeout=30000):
        page.receive([world.packages[0].path, package.path])
    qtbot.waitUntil(lambda: not page.busy)
    table = page.table
    good, broken = table.item(0, 1), table.item(1, 1)
    assert good.text() == "龙河镇" and not good.toolTip()
    assert broken.text() == "三元镇"
    assert broken.foreground().color() == QColor(REFUSED_COLOUR)
    assert broken.toolTip().startswith("修改记录的历史不完整：乡镇的修改记录共 ")
    assert "中间有 1 条被删除" in broken.toolTip()
    assert "三元镇的修改记录历史不完整（红色乡镇名，鼠标悬停看原因）" in page.summary.text()
    assert record_count(world.county.db_path) > 0
    shots = os.environ.get("COUNTY_SHOTS")
    if shots:
        page.grab().save(str(Path(shots) / "receive_page_broken_history.png"))


def test_cancel_stops_before_the_next_package(qtbot, world: World) -> None:  # type: ignore[no-untyped-def]
    page = shown(qtbot, ReceivePage(world.county))
    # cancel as soon as the worker reports its first step (on the worker's thread, so the
    # flag is set before it moves on): the first package is received, the second is not
    page._signals.progressed.connect(
        lambda *_: page._cancel.set(), Qt.ConnectionType.DirectConnection
    )
    with qtbot.waitSignal(page.received, timeout=30000):
        page.receive([p.path for p in world.packages])
    qtbot.waitUntil(lambda: not page.busy)
    assert "已取消" in page.progress_label.text()
    assert record_count(world.county.db_path) == sum(
        manifest(world.packages[0].path)["record_counts"].values()
    )


def test_conflicts_page_decides_field_by_field(qtbot, world: World) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.services.county.receive import receive_package

    county, town, month = world.county, world.towns[0], world.months[0]
    receive_package(county, world.packages[0].path)
    patrol = month.patrols[0]
    RecordService(county).update(patrol, {"inspectors": "张三（县级核实）"})
    RecordService(town).update(patrol, {"inspectors": "张三、李四、王五", "remarks": "补记"})
    (world.tmp / "again").mkdir()
    again = build_package(town, parse_period("2026-12"), world.tmp / "again", now=CREATED)
    assert receive_package(county, again.path).conflicts == 1
    page = shown(qtbot, ConflictsPage(county))
    assert page.list.rowCount() == 1
    assert page.list.item(0, 0).text() == "龙河镇"
    fields = page.fields
    rows = {fields.item(r, 0).text(): r for r in range(fields.rowCount())}
    assert set(rows) == {"巡查人员", "备注"}
    r = rows["巡查人员"]
    assert (fields.item(r, 1).text(), fields.item(r, 2).text()) == (
        "张三（县级核实）",
        "张三、李四、王五",
    )
    assert fields.item(rows["备注"], 1).text() == "（空）"
    shots = os.environ.get("COUNTY_SHOTS")
    if shots:
        page.resize(1100, 560)
        page.grab().save(str(Path(shots) / "conflicts_page.png"))
    # one field left undecided: said, nothing changed
    page.choose("inspectors", "county")
    assert not page.confirm()
    assert "备注" in page.message.text()
    page.choose("remarks", "township")
    with qtbot.waitSignal(page.resolved):
        assert page.confirm()
    assert page.list.rowCount() == 0
    assert "没有待处理的冲突" in page.message.text()
    conn = sqlite3.connect(county.db_path)
    data = json.loads(conn.execute("SELECT data FROM records WHERE id=?", (patrol,)).fetchone()[0])
    conn.close()
    assert (data["inspectors"], data["remarks"]) == ("张三（县级核实）", "补记")


def test_townships_page_adds_a_township_and_writes_its_key(qtbot, world: World) -> None:  # type: ignore[no-untyped-def]
    page = shown(qtbot, TownshipsPage(world.county))
    assert page.table.rowCount() == 2
    type_chinese(page.code_edit, "510104000000")
    assert page.code_problem.isVisible() and "县级代码" in page.code_problem.text()
    assert not page.add_button.isEnabled()
    page.code_edit.setText("510104003000")
    assert not page.code_problem.isVisible() and page.add_button.isEnabled()
    type_chinese(page.name_edit, "许明寺镇")
    type_chinese(page.contact_edit, "王小红")
    assert page.add() is not None
    assert [page.table.item(r, 1).text() for r in range(page.table.rowCount())][-1] == "许明寺镇"
    assert page.selected() is not None and page.selected().code == "510104003000"
    written = page.write_key(world.tmp / "许明寺镇")
    assert written == world.tmp / "许明寺镇.gkkey" and written.is_file()
    from gongkai_desktop.services.submission.keys import read_key_file

    info = read_key_file(written)
    assert (info.township_code, info.township_name) == ("510104003000", "许明寺镇")


def test_the_county_window_lists_the_county_pages(qtbot, world: World) -> None:  # type: ignore[no-untyped-def]
    window = shown(qtbot, MainWindow(world.county))
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles[:4] == ["报送情况", "接收报送包", "冲突处理", "乡镇管理"]
    assert isinstance(window.show_module("接收报送包"), ReceivePage)
    assert isinstance(window.show_module("冲突处理"), ConflictsPage)
    assert isinstance(window.show_module("乡镇管理"), TownshipsPage)


def test_ledger_page_exports_one_township_or_all(
    qtbot,  # type: ignore[no-untyped-def]
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import openpyxl
    from PySide6.QtWidgets import QFileDialog

    from gongkai_desktop.services.county.receive import receive_package
    from gongkai_desktop.ui.ledgers.ledger_page import LedgerPage

    for built in world.packages:
        receive_package(world.county, built.path)
    page = shown(qtbot, LedgerPage(world.county))
    chooser = page.township_chooser
    assert chooser.isVisible()
    assert not page.close_button.isVisible()  # a county receives; it has no 月末报送
    box = chooser.box
    assert [box.itemText(i) for i in range(box.count())] == ["全部乡镇", "龙河镇", "三元镇"]
    page.period_chooser.set_kind("month")
    page.period_chooser.year.setValue(2026)
    page.period_chooser.month.setCurrentIndex(10)
    conn = sqlite3.connect(world.county.db_path)
    per_township = dict(
        conn.execute(
            "SELECT township_code, count(*) FROM records WHERE form_id='inspection' AND deleted=0"
            " AND record_date BETWEEN '2026-11-01' AND '2026-11-30'"
            " AND json_extract(data, '$.inspection_type')='饮用水水源地巡查' GROUP BY township_code"
        ).fetchall()
    )
    conn.close()
    page.select_ledger("water_source_patrol")
    assert page.count_text("water_source_patrol") == str(sum(per_township.values()))
    box.setCurrentIndex(1)
    code = box.currentData()
    assert page.count_text("water_source_patrol") == str(per_township[code])
    target = world.tmp / "龙河镇水源地.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(target), ""))
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=30000)
    ws = openpyxl.load_workbook(target).active
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == per_township[code] and {r[1] for r in rows} == {"龙河镇"}
    assert "乡镇" in [c.value for c in ws[3]]


def test_the_township_chooser_is_hidden_on_a_township_database(qtbot, world: World) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.ui.ledgers.ledger_page import LedgerPage

    page = shown(qtbot, LedgerPage(world.towns[0]))
    assert not page.township_chooser.isVisible()
    assert page.township_chooser.codes() is None
    assert page.close_button.isVisible()


def test_a_conflicting_site_reads_by_name(qtbot, world: World) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.services.county.receive import receive_package

    county, town, month = world.county, world.towns[0], world.months[0]
    receive_package(county, world.packages[0].path)
    patrol = month.patrols[0]
    values = {"site_type": "饮用水水源地", "village": "西村"}
    at_county = RecordService(county).create("site", {**values, "name": "县级核实水源地"}).id
    at_town = RecordService(town).create("site", {**values, "name": "白岩水库水源地"}).id
    RecordService(county).update(patrol, {"site": at_county})
    RecordService(town).update(patrol, {"site": at_town})
    (world.tmp / "again").mkdir()
    again = build_package(town, parse_period("2026-12"), world.tmp / "again", now=CREATED)
    assert receive_package(county, again.path).conflicts == 1
    page = shown(qtbot, ConflictsPage(county))
    fields = page.fields
    [row] = [r for r in range(fields.rowCount()) if fields.item(r, 0).text() == "巡查对象"]
    assert (fields.item(row, 1).text(), fields.item(row, 2).text()) == (
        "县级核实水源地",
        "白岩水库水源地",
    )
