"""The county's 接收报送包 and 冲突处理 pages on real databases: packages chosen, received
off the GUI thread with their results (a refused one in red), then a conflict decided."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.submission.package import build_package
from gongkai_desktop.ui.county.conflicts_page import ConflictsPage
from gongkai_desktop.ui.county.receive_page import REFUSED, ReceivePage

from ..unit.submission_helpers import CREATED, NOVEMBER, build_month, open_county, open_township

pytestmark = [pytest.mark.gui]
WAIT = 30000


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    county = open_county(tmp_path / "county" / "county.db")
    packages = []
    towns = []
    for n, name in enumerate(("龙河镇", "青山镇"), start=1):
        town = open_township(tmp_path / f"t{n}" / "town.db", county, n, name)
        month = build_month(town, tmp_path, seed=n)
        packages.append(build_package(town, NOVEMBER, tmp_path / f"t{n}", now=CREATED).path)
        towns.append((town, month))
    yield county, towns, packages
    for town, _ in towns:
        town.close()
    county.close()


def test_receive_page_receives_chosen_packages_and_shows_refusals(  # type: ignore[no-untyped-def]
    qtbot, world, tmp_path, monkeypatch
) -> None:
    county, _towns, packages = world
    bad = tmp_path / "损坏.gkpkg"
    bad.write_bytes(packages[0].read_bytes()[:-200])
    page = ReceivePage(county)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    chosen = [str(packages[0]), str(bad), str(packages[1])]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (chosen, ""))
    with qtbot.waitSignal(page.received, timeout=WAIT):
        page.choose_button.click()
    assert page.table.rowCount() == 3
    texts = [[page.table.item(r, c).text() for c in range(9)] for r in range(3)]
    assert texts[0][:8] == ["龙河镇人民政府_2026年11月_报送包.gkpkg", "龙河镇", "2026-11",
                            "7", "7", "0", "0", "0"]  # fmt: skip
    assert texts[0][8].startswith("已接收；回执：龙河镇_2026-11_回执_")
    assert texts[1][8].startswith("拒收：报送包“损坏.gkpkg”不是完整的报送包文件")
    assert page.table.item(1, 8).background().color() == REFUSED
    assert texts[2][1] == "青山镇"
    assert "接收 2 个，拒收 1 个；新增 14 条" in page.status.text()
    assert (packages[0].parent / texts[0][8].split("回执：")[1]).is_file()
    page.grab().save(str(tmp_path / "receive_page.png"))

    # the same packages again: nothing written twice
    with qtbot.waitSignal(page.received, timeout=WAIT):
        page.receive([packages[0]])
    assert page.table.item(0, 8).text().startswith("此前已接收，未重复写入")


def test_conflicts_page_decides_field_by_field(qtbot, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.services.county.receive import receive_packages

    county, towns, packages = world
    receive_packages(county, packages)
    town, month = towns[0]
    RecordService(county).update(month.event, {"materials": 210})
    RecordService(town).update(month.event, {"materials": 260, "place": "龙河镇场镇"})
    (tmp_path / "dec").mkdir()
    december = build_package(town, parse_period("2026-12"), tmp_path / "dec", now=CREATED)
    [result] = receive_packages(county, [december.path])
    assert result.conflicts == 1

    page = ConflictsPage(county)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    assert page.list.count() == 1 and not page.empty.isVisible()
    assert "龙河镇报送的宣传活动" in page.heading.text()
    rows = {
        page.table.item(r, 0).text(): (page.table.item(r, 1).text(), page.table.item(r, 2).text())
        for r in range(page.table.rowCount())
    }
    assert rows == {"发放宣传资料": ("210", "260"), "活动地点": ("（空）", "龙河镇场镇")}
    page.grab().save(str(tmp_path / "conflicts_page.png"))
    # keep the county's count, take the township's place
    for r in range(page.table.rowCount()):
        box = page.choice_box(r)
        side = "township" if page.table.item(r, 0).text() == "活动地点" else "county"
        box.setCurrentIndex(box.findData(side))
    with qtbot.waitSignal(page.resolved, timeout=WAIT):
        page.confirm.click()
    assert page.list.count() == 0 and page.empty.isVisible()
    conn = sqlite3.connect(county.db_path)
    try:
        data = json.loads(
            conn.execute("SELECT data FROM records WHERE id=?", (month.event,)).fetchone()[0]
        )
    finally:
        conn.close()
    assert (data["materials"], data["place"]) == (210, "龙河镇场镇")


def test_return_dialog_keeps_a_note_and_writes_the_receipt(  # type: ignore[no-untyped-def]
    qtbot, world, tmp_path, monkeypatch
) -> None:
    from gongkai_desktop.services.county.receive import receive_packages
    from gongkai_desktop.services.submission.receipts import import_receipt
    from gongkai_desktop.ui.county.return_dialog import ReturnDialog

    from .gui_helpers import type_chinese

    county, towns, packages = world
    receive_packages(county, packages, tmp_path / "receipts")
    dialog = ReturnDialog(county)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.township.count() == 2 and dialog.code() == "500235101000"
    type_chinese(dialog.search, "冬季")
    assert [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())] == [
        "冬季大气污染防治宣传"
    ]
    dialog.return_button.click()
    assert "请先在上表中选中" in dialog.status.text()
    dialog.table.selectRow(0)
    type_chinese(dialog.note, "参加人数与签到表不符，请核实")
    dialog.return_button.click()
    assert dialog.notes.rowCount() == 1
    assert dialog.notes.item(0, 3).text() == "待随回执发出"
    out = tmp_path / "stick"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    dialog.receipt_button.click()
    assert dialog.notes.item(0, 3).text() == "已随回执发出"
    dialog.grab().save(str(tmp_path / "return_dialog.png"))
    [receipt] = out.glob("*.gkrcpt")
    town, month = towns[0]
    view = import_receipt(town, receipt)
    assert [(r.record_id, r.note) for r in view.returns] == [
        (month.event, "参加人数与签到表不符，请核实")
    ]
