"""整改进展 tab: per-site rectification progress for a span of dates and, optionally,
one site type: the totals sentence and one row per site on the page, exported as a Word
公文 or an Excel table (the same service and writers as ``gongkai report progress``).

The report is built on the thread pool each time the entries change or the tab is shown,
so the page always matches the data of that moment.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from gongkai_desktop.domain.periods import Period, named_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.ui.reports.base_tab import ExportJob, ReportTab
from gongkai_desktop.ui.reports.export import Progress, SaveLocation, tab_layout

REPORT_TITLE = "生态环境问题整改进展情况"


def _build(ctx: AppContext, period: Period, site_type: str, progress: Progress) -> Any:
    from gongkai_desktop.services.reports.progress import progress_report

    progress(0, 1)
    report = progress_report(ctx, period, site_type)
    progress(1, 1)
    return report


def _write(
    ctx: AppContext, period: Period, site_type: str, target: Path, progress: Progress
) -> Any:
    report = _build(ctx, period, site_type, progress)
    if target.suffix.lower() == ".docx":
        from gongkai_desktop.services.reports.writers.progress_docx import write_progress_docx

        write_progress_docx(report, target)
    else:
        from gongkai_desktop.services.reports.writers.progress_xlsx import write_progress_xlsx

        write_progress_xlsx(report, target)
    return report


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ProgressTab(ReportTab):
    formats = (".docx", ".xlsx")

    def __init__(
        self,
        ctx: AppContext,
        location: SaveLocation,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, location, parent)
        today = today or date.today()
        self.report: Any = None  # the ProgressReport shown on the page
        self._shown: tuple[Period, str] | None = None

        self.date_from = QDateEdit(_qdate(date(today.year, 1, 1)))
        self.date_to = QDateEdit(_qdate(today))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy年M月d日")
            edit.dateChanged.connect(self.refresh)
        self.site_type = QComboBox()
        self.site_type.addItem(self.tr("全部监管对象"), "")
        site_form = ctx.registry.forms.get("site")
        if site_form is not None and site_form.has_field("site_type"):
            for label in site_form.field("site_type").choices:
                self.site_type.addItem(label, label)
        self.site_type.currentIndexChanged.connect(self.refresh)
        self.docx_button = self.export_buttons[".docx"]
        self.xlsx_button = self.export_buttons[".xlsx"]

        layout = tab_layout(
            self,
            self.tr(
                "按监管对象统计期间内交办的整改任务：交办和自查问题数、按期和逾期完成、"
                "正在整改及其中逾期的，列出联系领导和未完成问题的整改时限。"
                "选择“饮用水水源地”即得水源地问题整改进展情况。"
            ),
        )
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("期间：")))
        row.addWidget(self.date_from)
        row.addWidget(QLabel(self.tr("至")))
        row.addWidget(self.date_to)
        row.addSpacing(12)
        row.addWidget(QLabel(self.tr("监管对象类型：")))
        row.addWidget(self.site_type)
        row.addSpacing(16)
        for button in self.export_buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.runner)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        layout.addWidget(self.sentence)
        headers = [
            self.tr("监管对象"),
            self.tr("联系领导"),
            self.tr("交办"),
            self.tr("自查"),
            self.tr("按期完成"),
            self.tr("逾期完成"),
            self.tr("正在整改"),
            self.tr("其中逾期"),
            self.tr("未完成问题及整改时限"),
        ]
        self.table = QTreeWidget()
        self.table.setColumnCount(len(headers))
        self.table.setHeaderLabels(headers)
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.header()
        header.setStretchLastSection(True)
        for column in range(len(headers) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)

    # ---- the entries and the report on the page -----------------------------------------
    def period(self) -> Period:
        start, end = _pydate(self.date_from.date()), _pydate(self.date_to.date())
        return named_period(min(start, end), max(start, end))

    def chosen_site_type(self) -> str:
        return str(self.site_type.currentData() or "")

    def _update_state(self) -> None:
        super()._update_state()
        idle = not self.runner.busy
        for widget in (self.date_from, self.date_to, self.site_type):
            widget.setEnabled(idle)
        wanted = (self.period(), self.chosen_site_type())
        if idle and self._shown is not None and self._shown != wanted:
            self.refresh()  # the entries changed while something else ran

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # records may have changed on other pages

    def refresh(self) -> None:
        ctx, period, site_type = self.ctx, self.period(), self.chosen_site_type()
        work = lambda progress: _build(ctx, period, site_type, progress)  # noqa: E731
        if self.runner.run(work, self._show, self.tr("正在统计整改进展…")):
            self._shown = (period, site_type)

    def _show(self, report: Any) -> None:
        self.report = report
        self.sentence.setText(report.sentence)
        self.table.clear()
        for s in (*report.sites, report.total) if report.sites else ():
            cells = [
                s.site,
                s.leader,
                str(s.handed_down),
                str(s.self_found),
                str(s.done_on_time),
                str(s.done_late),
                str(s.in_progress),
                str(s.overdue_open),
                "；".join(t.line() for t in s.open_tasks),
            ]
            self.table.addTopLevelItem(QTreeWidgetItem(cells))

    # ---- export -------------------------------------------------------------------------
    def export_job(self, suffix: str) -> ExportJob:
        ctx, period, site_type = self.ctx, self.period(), self.chosen_site_type()
        return ExportJob(
            dialog_title=self.tr("导出整改进展情况"),
            title=f"{period.label}{site_type}{REPORT_TITLE}",
            write=lambda target, progress: _write(ctx, period, site_type, target, progress),
        )


__all__ = ["ProgressTab"]
