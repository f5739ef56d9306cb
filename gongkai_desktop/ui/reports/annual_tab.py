"""年度报告 tab: the clerk's own text of the annual report (opening, 存在的问题,
下一步工作计划) per year, with the drafts made from the year's figures, and export to
Word or Excel.

The data sections of the report are drafted by ``services.report_annual`` from the
figures when the report is exported, so an export always matches the data of that
moment; only the three texts are kept (per year, in the settings table). Where a text is
left empty the report uses the draft, which the edit shows as its placeholder.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.reports.annual import (
    AnnualTexts,
    annual_drafts,
    load_annual_texts,
    save_annual_texts,
)
from gongkai_desktop.services.reports.issuing import default_made_on, document_warnings
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.reports.base_tab import (
    ExportJob,
    ReportTab,
    made_on_edit,
    made_on_of,
    set_made_on,
)
from gongkai_desktop.ui.reports.export import (
    Progress,
    SaveLocation,
    fill_with_drafts,
    save_or_discard,
    tab_layout,
)
from gongkai_desktop.ui.style import HINT_STYLE, emphasise
from gongkai_desktop.ui.worker import Task, start_task

PARTS = tuple(f.name for f in fields(AnnualTexts))  # opening, problems, plans
REPORT_TITLE = "年度生态环境保护工作情况报告"


def _write(ctx: AppContext, year: int, made_on: date, target: Path, progress: Progress) -> None:
    from gongkai_desktop.services.reports.annual import annual_report

    steps = [1]  # annual_report reports its own step count; one more for the writer

    def report_progress(done: int, total: int) -> None:
        steps[0] = total + 1
        progress(done, total + 1)

    report = annual_report(ctx, year, today=made_on, progress=report_progress)
    if target.suffix.lower() == ".docx":
        from gongkai_desktop.services.reports.writers.annual_docx import write_annual_docx

        write_annual_docx(report, target)
    else:
        from gongkai_desktop.services.reports.writers.report_xlsx import write_annual_xlsx

        write_annual_xlsx(report, target)
    progress(steps[0], steps[0])


class AnnualTab(ReportTab):
    formats = (".docx", ".xlsx")

    def __init__(
        self,
        ctx: AppContext,
        location: SaveLocation,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, location, parent)
        self.saved = AnnualTexts()  # the year's text as stored
        self.drafts: AnnualTexts | None = None
        self._draft_tasks: dict[int, Task] = {}  # kept referenced until they report
        self._draft_token = 0

        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue((today or date.today()).year)
        self.year.setSuffix(self.tr(" 年度"))
        self.year.setKeyboardTracking(False)
        self.loaded_year = self.year.value()
        self.year.valueChanged.connect(self._year_changed)

        self.save_button = QPushButton(self.tr("保存文字"))
        self.save_button.clicked.connect(self.save)
        self.drafts_button = QPushButton(self.tr("使用草稿"))
        self.drafts_button.setToolTip(self.tr("把根据本年数据生成的草稿填入下面三栏，再按需修改"))
        self.drafts_button.clicked.connect(self.use_drafts)
        self.docx_button = self.export_buttons[".docx"]
        self.xlsx_button = self.export_buttons[".xlsx"]
        self.saved_label = QLabel()
        self.saved_label.setStyleSheet(HINT_STYLE)
        self.made_on = made_on_edit()

        labels = {
            "opening": self.tr("开头段落"),
            "problems": self.tr("二、存在的问题"),
            "plans": self.tr("三、下一步工作计划"),
        }
        self.edits: dict[str, QPlainTextEdit] = {}
        for part in PARTS:
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.textChanged.connect(self._update_state)
            self.edits[part] = edit

        layout = tab_layout(
            self,
            self.tr(
                "“一、工作开展情况”和附表在导出时根据当时的数据自动生成。"
                "下面三栏由您撰写，按年度保存；某栏留空时，报告使用灰色显示的草稿。"
            ),
        )
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("年度：")))
        row.addWidget(self.year)
        row.addSpacing(16)
        row.addWidget(self.save_button)
        row.addWidget(self.drafts_button)
        row.addWidget(self.saved_label)
        row.addStretch(1)
        row.addWidget(QLabel(self.tr("成文日期：")))
        row.addWidget(self.made_on)
        for button in self.export_buttons.values():
            row.addWidget(button)
        layout.addLayout(row)
        layout.addWidget(self.runner)
        grid = QGridLayout()
        grid.setVerticalSpacing(4)
        for index, part in enumerate(PARTS):
            title = QLabel(labels[part])
            emphasise(title)
            grid.addWidget(title, 2 * index, 0)
            grid.addWidget(self.edits[part], 2 * index + 1, 0)
            grid.setRowStretch(2 * index + 1, 2 if index == 0 else 3)
        layout.addLayout(grid, 1)
        self.load_year(self.loaded_year)

    # ---- texts of a year ----------------------------------------------------------------
    def texts(self) -> AnnualTexts:
        return AnnualTexts(**{part: self.edits[part].toPlainText() for part in PARTS})

    @property
    def dirty(self) -> bool:
        current = self.texts()
        return any(getattr(current, p).strip() != getattr(self.saved, p).strip() for p in PARTS)

    def load_year(self, year: int) -> bool:
        try:
            texts = load_annual_texts(self.ctx, year)
        except Exception as exc:
            show_error(self, exc, self.tr("无法读取年度报告文字"))
            return False
        self.loaded_year = year
        self.saved = texts
        set_made_on(self.made_on, default_made_on(self.ctx, parse_period(str(year))))
        for part in PARTS:
            self.edits[part].setPlainText(getattr(texts, part))
        self._load_drafts(year)
        self._update_state()
        return True

    def _load_drafts(self, year: int) -> None:
        """The drafts come from the year's figures: made on the pool, shown as placeholders."""
        self.drafts = None
        self._draft_token += 1
        token = self._draft_token
        for edit in self.edits.values():
            edit.setPlaceholderText(self.tr("正在根据{0}年的数据生成草稿…").format(year))
        ctx = self.ctx

        def work() -> tuple[int, AnnualTexts | None, Exception | None]:
            try:
                return token, annual_drafts(ctx, year), None
            except Exception as exc:  # reported with its token, so a stale failure is ignored
                return token, None, exc

        self._draft_tasks[token] = start_task(work, self._drafts_done, self._drafts_done)

    def _drafts_done(self, result: Any) -> None:
        if not isinstance(result, tuple):  # Task.failed: work() itself never raises
            show_error(self, result, self.tr("无法生成草稿"))
            return
        token, drafts, exc = result
        self._draft_tasks.pop(token, None)
        if token != self._draft_token:
            return  # the clerk chose another year meanwhile
        if drafts is None:
            for edit in self.edits.values():
                edit.setPlaceholderText("")
            show_error(self, exc or RuntimeError("no drafts"), self.tr("无法生成草稿"))
            return
        self.drafts = drafts
        for part in PARTS:
            self.edits[part].setPlaceholderText(getattr(drafts, part))
        self._update_state()

    @property
    def drafts_loading(self) -> bool:
        return bool(self._draft_tasks)

    def _year_changed(self, year: int) -> None:
        if year == self.loaded_year:
            return
        if not self.confirm_leave():
            self._set_year(self.loaded_year)
            return
        if not self.load_year(year):
            self._set_year(self.loaded_year)

    def confirm_leave(self) -> bool:
        """Before the texts are left (another year, closing): save or discard unsaved
        changes. False if the clerk cancelled or saving failed."""
        if not self.dirty:
            return True
        return save_or_discard(
            self,
            self.tr("文字尚未保存"),
            self.tr("{0}年度报告的文字有修改尚未保存。要先保存吗？").format(self.loaded_year),
            self.save,
        )

    def _set_year(self, year: int) -> None:
        self.year.blockSignals(True)
        self.year.setValue(year)
        self.year.blockSignals(False)

    def _update_state(self) -> None:
        super()._update_state()
        idle = not self.runner.busy
        dirty = self.dirty
        self.save_button.setEnabled(idle and dirty)
        self.drafts_button.setEnabled(idle and self.drafts is not None)
        self.year.setEnabled(idle)
        self.saved_label.setText(self.tr("有修改尚未保存") if dirty else "")

    def save(self) -> bool:
        """Store the three texts of the loaded year; False if that failed."""
        try:
            self.saved = save_annual_texts(self.ctx, self.loaded_year, self.texts())
        except Exception as exc:
            show_error(self, exc, self.tr("保存失败"))
            return False
        self._update_state()
        self.saved_label.setText(self.tr("已保存{0}年度的文字").format(self.loaded_year))
        return True

    def use_drafts(self) -> None:
        if self.drafts is not None:
            fill_with_drafts(self, self.edits, self.drafts)

    # ---- export -------------------------------------------------------------------------
    def confirm_export(self) -> bool:
        saved = not self.dirty or save_or_discard(
            self,
            self.tr("文字尚未保存"),
            self.tr(
                "报告按已保存的文字生成，而当前修改尚未保存。\n"
                "选“保存”先保存再导出，选“放弃”按上次保存的文字导出。"
            ),
            self.save,
        )
        return saved

    def export(self, suffix: str) -> None:
        """主送机关 belongs to the 公文 (.docx): asked about only for it."""
        if self.runner.busy or not self.can_export() or not self.confirm_export():
            return
        if self.confirm_warnings(document_warnings(self.ctx, addressee=suffix == ".docx")):
            self.start_export(suffix)

    def export_job(self, suffix: str) -> ExportJob:
        ctx, year, made_on = self.ctx, self.loaded_year, made_on_of(self.made_on)
        return ExportJob(
            dialog_title=self.tr("导出年度报告"),
            title=f"{year}{REPORT_TITLE}",
            write=lambda target, progress: _write(ctx, year, made_on, target, progress),
        )


__all__ = ["AnnualTab"]
