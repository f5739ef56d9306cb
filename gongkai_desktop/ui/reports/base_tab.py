"""The base of the 报表 tabs: their export buttons and how an export runs.

A tab declares the file types it exports (``formats``: one 导出 button each, in that
order) and, per export, an ``ExportJob``: the title in the file name, the function that
writes the file on the thread pool and, where needed, what is done with its result on
the GUI thread. ``ReportTab`` does the rest the same way on every tab: nothing while
other work runs, the unsaved-entries question, the standard file name
(``<unit>_<title>.suffix``), the save dialog in the last folder used, progress and 取消
in the tab's ``ReportRunner``, the file named with 打开文件 / 打开所在文件夹 at the end,
and the buttons disabled meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QMessageBox, QPushButton, QWidget

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.settings import load_settings
from gongkai_desktop.ui.reports.export import Progress, ReportRunner, SaveLocation, report_file_name


@dataclass(frozen=True)
class ExportJob:
    """One export as the tab describes it, from the entries of the moment.

    ``write(target, progress)`` runs on the thread pool and writes ``target``, or only
    prepares plain data when ``finish(target, result)`` writes the file on the GUI
    thread: Qt documents (QTextDocument, the monthly PDF) must be laid out there — a
    worker laying one out deadlocked against the GUI thread (see ``ReportRunner.export``).
    ``notes(result)`` adds a line under 已导出 (e.g. photos left out); ``unit`` is the
    unit named in the file name, the settings' unit name when None.
    """

    dialog_title: str
    title: str
    write: Callable[[Path, Progress], Any]
    finish: Callable[[Path, Any], None] | None = None
    notes: Callable[[Any], str] | None = None
    unit: str | None = None


def made_on_edit() -> QDateEdit:
    """The 成文日期 picker of a 公文 tab (a calendar pops up)."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy年M月d日")
    edit.setToolTip(edit.tr("文件落款的成文日期，默认为期间的最后一个工作日"))
    return edit


def set_made_on(edit: QDateEdit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


def made_on_of(edit: QDateEdit) -> date:
    day = edit.date()
    return date(day.year(), day.month(), day.day())


class ReportTab(QWidget):
    """A 报表 tab that exports files; subclasses place ``export_buttons`` and ``runner``
    in their layout and describe each export in ``export_job``."""

    # the suffixes the tab exports, one 导出 button each in this order
    formats: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, ctx: AppContext, location: SaveLocation, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.location = location
        texts = {
            ".pdf": self.tr("导出 PDF…"),
            ".xlsx": self.tr("导出 Excel…"),
            ".docx": self.tr("导出 Word…"),
            # a file other systems read, named for the clerk, not by its format
            ".json": self.tr("导出数据文件（供系统对接）…"),
        }
        self.export_buttons: dict[str, QPushButton] = {}
        for suffix in self.formats:
            button = QPushButton(texts[suffix])
            button.clicked.connect(lambda _checked=False, s=suffix: self.export(s))
            self.export_buttons[suffix] = button
        self.runner = ReportRunner()
        self.runner.started.connect(self._update_state)
        self.runner.stopped.connect(self._update_state)

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def can_export(self) -> bool:
        """Whether there is something to export (the buttons are disabled otherwise)."""
        return True

    def _update_state(self) -> None:
        """Export buttons enabled while nothing runs; tabs extend this to their widgets."""
        enabled = not self.runner.busy and self.can_export()
        for button in self.export_buttons.values():
            button.setEnabled(enabled)

    # ---- export -------------------------------------------------------------------------
    def export(self, suffix: str) -> None:
        """An export button: unless work runs, settle unsaved entries, then export."""
        if self.runner.busy or not self.can_export() or not self.confirm_export():
            return
        self.start_export(suffix)

    def confirm_export(self) -> bool:
        """Before an export: ask about the clerk's unsaved entries. False stops it."""
        return True

    def confirm_warnings(self, warnings: list[str]) -> bool:
        """Settings a 公文 cannot do without (单位名称, 主送机关): said before the file is
        written; 仍然导出 goes on, 取消 stops. True when there is nothing to say."""
        if not warnings:
            return True
        answer = QMessageBox.question(
            self,
            self.tr("设置不完整"),
            "\n".join(warnings) + "\n\n" + self.tr("仍然导出吗？"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def start_export(self, suffix: str) -> None:
        """Export what ``export_job`` describes now (a tab that checks the report on the
        pool first calls ``write_report`` itself when the check is done)."""
        job = self.export_job(suffix)
        if job is not None:
            self.write_report(suffix, job)

    def export_job(self, suffix: str) -> ExportJob | None:
        """The export of the tab's entries as ``suffix``; None exports nothing."""
        raise NotImplementedError

    def write_report(self, suffix: str, job: ExportJob) -> bool:
        """Ask where to save ``job`` (standard name) and write it there in the runner.
        False when the clerk cancelled the dialog or other work still runs."""
        unit = job.unit
        if unit is None:
            unit = str(load_settings(self.ctx)["unit_name"] or "")
        name = report_file_name(unit, job.title, suffix)
        target = self.location.ask(self, job.dialog_title, name)
        if target is None:
            return False
        write, finish = job.write, job.finish
        return self.runner.export(
            target,
            lambda progress: write(target, progress),
            self.tr("正在生成 {0}…").format(target.name),
            notes=job.notes,
            finish=None if finish is None else (lambda result: finish(target, result)),
        )


__all__ = ["ExportJob", "ReportTab"]
