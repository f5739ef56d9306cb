"""The county's 退回修改 dialog on real databases: a received record found and returned,
the 回执 written at once, and the note arriving at the township."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from gongkai_desktop.services.submission.package import build_package

from ..unit.submission_helpers import CREATED, NOVEMBER, build_month, open_county, open_township

pytestmark = [pytest.mark.gui]


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
