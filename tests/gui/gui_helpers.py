"""Helpers shared by the GUI tests."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget


def type_chinese(widget: QWidget, text: str) -> None:
    """Commit text as a Chinese input method does (QTest.keyClicks is Latin-1 only)."""
    widget.setFocus()
    for char in text:
        event = QInputMethodEvent()
        event.setCommitString(char)
        QApplication.sendEvent(widget, event)


def shown(qtbot, widget):  # type: ignore[no-untyped-def]
    """Register, show and wait until the widget is on (the offscreen) screen."""
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


class Answer:
    """Stands in for the modal QMessageBox.question and records what was asked."""

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.texts: list[str] = []

    def __call__(self, parent, title, text, *args):  # type: ignore[no-untyped-def]
        self.texts.append(text)
        return self.answer
