"""``gui_selftest()`` (used by ``gongkai selftest`` and the packaged build's smoke test)."""

from __future__ import annotations

import pytest

from gongkai_desktop.app import gui_selftest

pytestmark = pytest.mark.gui


def test_gui_selftest_builds_window_and_editor(qapp) -> None:  # type: ignore[no-untyped-def]
    steps = gui_selftest()
    assert any("主窗口创建成功" in step for step in steps)
    assert any("监管对象编辑窗口" in step and "保存记录" in step for step in steps)
    assert any("列表显示新记录" in step for step in steps)
    assert gui_selftest() == steps  # reuses the running QApplication; nothing left behind
