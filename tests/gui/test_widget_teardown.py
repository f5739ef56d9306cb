"""Regression guard for the segfault of the GUI suite on Python 3.12+ with PySide6 6.12.0
(GUIDE §4, "a full run of the GUI tests was seen to segfault after about 15 tests").

The record editor put some of its buttons (复制上一条, the form actions, 生成文书) into
its button row twice. The row was filled while it was not yet in a layout, so Qt kept
both layout items (an installed layout would have moved the widget instead). PySide6
6.12.0 also no longer hands the widgets of such a row to the window when the row is
added with ``addLayout``: they stay owned by Python, kept alive only by the row's
wrapper. When Python dropped the last reference to an editor, ``~QWidget`` deleted its
layout, the row's wrapper released and deleted the buttons, and ``~QBoxLayout`` then
destroyed the second, dangling ``QWidgetItemV2`` of a button: SIGSEGV in
``QWidgetItemV2::~QWidgetItemV2``. Whether a test hit it depended on how its editor was
freed (by reference count at the end of the test, by the cyclic collector, or by Qt as
a child window), hence "order-dependent". PySide6 6.11 hands the widgets over and Qt
deletes them after the layout, so the duplicate items went unnoticed on Python 3.11.

Minimal trigger (crashes on PySide6 6.12.0, not on 6.11)::

    w = QWidget(); outer = QVBoxLayout(w); row = QHBoxLayout(); b = QPushButton()
    row.addWidget(b); row.addWidget(b); outer.addLayout(row); del b, row, w

The first test checks the cause in every window (no widget in two layout items); the
second repeats the trigger with the real editors in a child process, so that a crash
fails a test instead of ending the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QLayout, QWidget

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.ledgers.import_wizard import ImportWizard
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.records.editor import RecordEditor

pytestmark = pytest.mark.gui


def widgets_in_two_places(top: QWidget) -> list[str]:
    """Widgets that more than one layout item of ``top``'s layouts points at."""
    layouts: dict[int, QLayout] = {}
    for layout in (top.layout(), *top.findChildren(QLayout)):
        if layout is not None:
            layouts[shiboken6.getCppPointer(layout)[0]] = layout
    places: Counter[int] = Counter()
    names: dict[int, str] = {}
    for layout in layouts.values():
        for i in range(layout.count()):
            widget = layout.itemAt(i).widget()
            if widget is None:
                continue
            # the C++ address: Python wrappers of Qt's own children come and go
            address = shiboken6.getCppPointer(widget)[0]
            places[address] += 1
            text = widget.text() if hasattr(widget, "text") else ""
            names[address] = f"{type(widget).__name__} {widget.objectName()!r} {text!r}"
    return [f"{names[a]} ×{n}" for a, n in places.items() if n > 1]


def test_no_widget_sits_in_two_layout_items(qtbot, ctx, records: RecordService) -> None:  # type: ignore[no-untyped-def]
    saved = records.create("site", {"site_type": "其他", "name": "龙河水库", "village": "龙河村"})
    windows: list[tuple[str, QWidget]] = [
        (f"RecordEditor({form_id})", RecordEditor(records, form_id))
        for form_id in records.registry.forms
    ]
    windows.append(("RecordEditor(site, saved)", RecordEditor(records, "site", saved.id)))
    windows.append(("MainWindow", MainWindow(ctx)))
    windows.append(("ImportWizard", ImportWizard(ctx)))
    found = {}
    for name, window in windows:
        qtbot.addWidget(window)
        if twice := widgets_in_two_places(window):
            found[name] = twice
    assert found == {}, f"widgets added to a layout twice: {found}"


# Run in a child process: the failure this guards against is a segfault.
DROP_EDITORS = textwrap.dedent(
    """
    import gc, sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from gongkai_desktop.services.records.service import RecordService
    from gongkai_desktop.services.startup import open_context
    from gongkai_desktop.ui.records.editor import RecordEditor

    app = QApplication([])
    ctx = open_context(Path(sys.argv[1]), auto_backup=False)
    records = RecordService(ctx)
    saved = records.create("site", {"site_type": "其他", "name": "龙河水库", "village": "龙河村"})
    opened = [(form_id, None) for form_id in records.registry.forms] + [("site", saved.id)]
    for shown in (False, True):
        for form_id, record_id in opened:
            editor = RecordEditor(records, form_id, record_id)
            if shown:
                editor.show()
                app.processEvents()
                editor.close()
                app.processEvents()
            del editor  # Python holds the last reference: it deletes the dialog now
    gc.collect()
    ctx.close()
    print("editors dropped:", len(opened) * 2)
    """
)


def test_editors_dropped_by_python_are_deleted_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GONGKAI_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", DROP_EDITORS, str(tmp_path / "g.db")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, (
        f"the child process ended with {result.returncode} (-11 is a segfault) while "
        f"deleting record editors:\n{result.stderr[-4000:]}"
    )
    assert "editors dropped:" in result.stdout
