"""月度小结 tab: choose a month, read the summary on the page, preview, print or export.

The summary is built on the thread pool each time it is needed (so it always matches
the data of that moment); its document is made here on the GUI thread by
``render.monthly_pdf``, the same module that writes the PDF, so the page, the print
preview, the printout and the PDF never disagree.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QWidget,
)

from gongkai_desktop.domain.periods import Period, parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.reports.issuing import default_made_on, document_warnings
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.ledgers.ledger_page import default_period_hint, last_month
from gongkai_desktop.ui.reports.base_tab import (
    ExportJob,
    ReportTab,
    made_on_edit,
    made_on_of,
    set_made_on,
)
from gongkai_desktop.ui.reports.export import Progress, SaveLocation, tab_layout
from gongkai_desktop.ui.style import HINT_STYLE

SUMMARY_TITLE = "生态环境保护工作小结"


def _build_summary(
    ctx: AppContext, period: Period, progress: Progress, made_on: date | None = None
) -> Any:
    from gongkai_desktop.services.reports.monthly import monthly_summary

    progress(0, 2)
    summary = monthly_summary(ctx, period, today=made_on)
    progress(1, 2)
    return summary


def _write(ctx: AppContext, period: Period, made_on: date, target: Path, progress: Progress) -> Any:
    """Off the GUI thread: the summary, and the .xlsx/.docx written from it. A PDF is
    laid out by Qt and so written on the GUI thread (``_write_pdf``)."""
    summary = _build_summary(ctx, period, progress, made_on)
    suffix = target.suffix.lower()
    if suffix == ".pdf":
        return summary
    if suffix == ".xlsx":
        from gongkai_desktop.services.reports.writers.report_xlsx import write_monthly_xlsx

        write_monthly_xlsx(summary, target)
    else:
        from gongkai_desktop.services.reports.writers.monthly_docx import write_monthly_docx

        write_monthly_docx(summary, target)
    progress(2, 2)
    return summary


def _write_pdf(target: Path, summary: Any) -> None:
    """On the GUI thread: the PDF laid out from the summary the worker built."""
    from gongkai_desktop.render.monthly_pdf import write_monthly_pdf

    write_monthly_pdf(summary, target)


class MonthlyTab(ReportTab):
    formats = (".pdf", ".xlsx", ".docx")

    def __init__(
        self,
        ctx: AppContext,
        location: SaveLocation,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, location, parent)
        self.summary: Any = None  # the MonthlySummary shown on the page
        self.preview_dialog: QPrintPreviewDialog | None = None
        self.print_dialog: QPrintDialog | None = None
        self._printer: QPrinter | None = None
        self._shown_period: Period | None = None

        year, month = last_month(today or date.today())
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(year)
        self.year.setSuffix(self.tr(" 年"))
        self.year.setKeyboardTracking(False)
        self.month = QComboBox()
        for m in range(1, 13):
            self.month.addItem(self.tr("{0}月").format(m))
        self.month.setCurrentIndex(month - 1)
        self.year.valueChanged.connect(self.refresh)
        self.month.currentIndexChanged.connect(self.refresh)
        self.made_on = made_on_edit()
        self._dated_period = self.period()
        set_made_on(self.made_on, default_made_on(ctx, self._dated_period))

        self.preview_button = QPushButton(self.tr("打印预览…"))
        self.preview_button.clicked.connect(self.open_preview)
        self.print_button = QPushButton(self.tr("打印…"))
        self.print_button.clicked.connect(self.open_print_dialog)
        self.pdf_button = self.export_buttons[".pdf"]
        self.xlsx_button = self.export_buttons[".xlsx"]
        self.docx_button = self.export_buttons[".docx"]
        self.buttons = (self.preview_button, self.print_button, *self.export_buttons.values())

        layout = tab_layout(
            self,
            self.tr(
                "按月汇总宣传活动、巡查检查、监管对象巡查完成情况和整改任务，"
                "生成一至两页的月度工作小结。下方是小结的内容，打印和导出的文件与它一致。"
            ),
        )
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("月份：")))
        row.addWidget(self.year)
        row.addWidget(self.month)
        row.addSpacing(16)
        row.addWidget(QLabel(self.tr("制表日期：")))
        row.addWidget(self.made_on)
        row.addSpacing(16)
        for button in self.buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        # under the row, which is already as wide as a laptop's page
        self._default_month = (year, month - 1)
        self.default_hint = QLabel(default_period_hint())
        self.default_hint.setObjectName("default_period_hint")
        self.default_hint.setStyleSheet(HINT_STYLE)
        self.year.valueChanged.connect(self._show_default_hint)
        self.month.currentIndexChanged.connect(self._show_default_hint)
        layout.addWidget(self.default_hint)
        layout.addWidget(self.runner)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        layout.addWidget(self.browser, 1)

    # ---- the month and the summary on the page -----------------------------------------
    def _show_default_hint(self) -> None:
        chosen = (self.year.value(), self.month.currentIndex())
        self.default_hint.setVisible(chosen == self._default_month)

    def period(self) -> Period:
        return parse_period(f"{self.year.value()}-{self.month.currentIndex() + 1:02d}")

    def _update_state(self) -> None:
        super()._update_state()
        idle = not self.runner.busy
        for widget in (self.preview_button, self.print_button, self.year, self.month):
            widget.setEnabled(idle)
        if idle and self._shown_period is not None and self._shown_period != self.period():
            self.refresh()  # the month changed while something else ran

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # records may have changed on other pages

    def refresh(self) -> None:
        """Build the chosen month's summary (in the worker) and show it on the page."""
        period = self.period()
        if period != self._dated_period:  # a new month: its default 制表日期
            self._dated_period = period
            set_made_on(self.made_on, default_made_on(self.ctx, period))
        self._with_summary(self._show_summary, self.tr("正在汇总本月数据…"))

    def _with_summary(self, then: Any, busy_text: str) -> None:
        """Build a fresh summary of the chosen month on the pool, then ``then(summary)``."""
        ctx, period, made_on = self.ctx, self.period(), made_on_of(self.made_on)
        build = lambda progress: _build_summary(ctx, period, progress, made_on)  # noqa: E731
        if self.runner.run(build, then, busy_text):
            self._shown_period = period

    def _show_summary(self, summary: Any) -> bool:
        """Show ``summary`` on the page; False (after saying why) if it cannot be laid
        out, e.g. no font can print Chinese."""
        from gongkai_desktop.render.monthly_pdf import build_monthly_document

        self.summary = summary
        try:
            document = build_monthly_document(summary)
        except Exception as exc:
            self.browser.setPlainText(str(exc))
            show_error(self, exc, self.tr("无法显示月度小结"))
            return False
        self.browser.setHtml(document.toHtml())
        return True

    # ---- preview and print --------------------------------------------------------------
    def open_preview(self) -> None:
        self._with_summary(self._open_preview, self.tr("正在生成打印预览…"))

    def _open_preview(self, summary: Any) -> None:
        if not self._show_summary(summary):
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self._printer = printer
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle(self.tr("打印预览 — {0}").format(summary.title))
        dialog.paintRequested.connect(self._paint_preview)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.resize(900, 1000)
        self.preview_dialog = dialog
        dialog.open()  # window-modal, without a nested event loop

    def paint(self, printer: QPrinter) -> int:
        """Lay the summary out on ``printer`` (the preview's, the print dialog's or a
        PDF printer): the same document as the exported PDF. Returns the page count."""
        from gongkai_desktop.render.monthly_pdf import print_document

        return int(print_document(self.summary, printer))

    def _paint_preview(self, printer: QPrinter) -> None:
        try:
            self.paint(printer)
        except Exception as exc:
            show_error(self, exc, self.tr("无法生成打印预览"))

    def open_print_dialog(self) -> None:
        self._with_summary(self._open_print_dialog, self.tr("正在准备打印…"))

    def _open_print_dialog(self, summary: Any) -> None:
        if not self._show_summary(summary):
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self._printer = printer
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("打印 — {0}").format(summary.title))
        dialog.finished.connect(lambda result: self._print_finished(dialog, printer, result))
        self.print_dialog = dialog
        QDialog.open(dialog)  # PySide exposes only QPrintDialog.open(receiver, member)

    def _print_finished(self, dialog: QPrintDialog, printer: QPrinter, result: int) -> None:
        self._dialog_closed(dialog)
        if result == QDialog.DialogCode.Accepted:
            try:
                self.paint(printer)
            except Exception as exc:
                show_error(self, exc, self.tr("打印失败"))

    def _dialog_closed(self, dialog: QWidget) -> None:
        if dialog is self.preview_dialog:
            self.preview_dialog = None
        if dialog is self.print_dialog:
            self.print_dialog = None
        dialog.deleteLater()

    # ---- export -------------------------------------------------------------------------
    def confirm_export(self) -> bool:
        return self.confirm_warnings(document_warnings(self.ctx, addressee=False))

    def export_job(self, suffix: str) -> ExportJob:
        ctx, period, made_on = self.ctx, self.period(), made_on_of(self.made_on)
        return ExportJob(
            dialog_title=self.tr("导出月度小结"),
            title=period.label + SUMMARY_TITLE,
            write=lambda target, progress: _write(ctx, period, made_on, target, progress),
            finish=_write_pdf if suffix == ".pdf" else None,
        )


__all__ = ["MonthlyTab"]
