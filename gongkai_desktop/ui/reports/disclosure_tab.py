"""信息公开年报 tab: the 政府信息公开工作年度报告 of a year (2021 format).

What the clerk enters here is kept per year by ``services.disclosure_report``: the
figures of table 二 (prefilled from the 主动公开 register while none are saved), typed
上年结转 for a first year with the app (otherwise computed from the register) and the
texts of sections 一、五、六 — 六 with its 人大建议和政协提案 and 创新情况 parts — (the
drafts stand in where a text is empty, shown as placeholders). The title, 署名 and
成文日期 of the Word file are chosen here too (their defaults shown grey). Tables 三 and 四 are read-only previews computed on the thread pool from
the registers, with the consistency check of the format beside them; an export builds
the report again, asks when the check finds problems, and writes exactly the report it
checked (Excel: the official tables; Word: the whole report; JSON: the tables nested).
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.disclosure import report as dr
from gongkai_desktop.services.disclosure.report import (
    APPLICANT_COLUMNS,
    RESULT_GROUPS,
    T2_LABELS,
    T3_COLUMNS,
    T3_ROWS,
    T4_COLUMNS,
    T4_GROUPS,
    T4_REVIEW,
    DisclosureReport,
    DisclosureTexts,
    Row,
    Table2,
)
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.reports.base_tab import ExportJob, ReportTab
from gongkai_desktop.ui.reports.export import (
    Progress,
    SaveLocation,
    fill_with_drafts,
    save_or_discard,
)
from gongkai_desktop.ui.style import ERROR_STYLE, HINT_STYLE
from gongkai_desktop.ui.worker import Task, start_task

REPORT_TITLE = "年政府信息公开工作年度报告"
# overview, problems, other, proposals, innovation
TEXT_PARTS = tuple(f.name for f in fields(DisclosureTexts))
TABLE2_PARTS = tuple(f.name for f in fields(Table2))
OK_STYLE = "color: #1e7b34;"
MAX_SPIN = dr.MAX_COUNT - 1
LABEL_WIDTHS = (40, 118, 330)  # table 三's three label columns
NUMBER_WIDTH = 76

Button = QMessageBox.StandardButton
Preview = tuple[DisclosureReport, list[str], DisclosureTexts]


def default_year(today: date) -> int:
    """The report is due by the end of 1月31日…3月: until April it is last year's."""
    return today.year - 1 if today.month < 4 else today.year


def _preview(ctx: AppContext, year: int) -> Preview:
    report = dr.disclosure_report(ctx, year)
    return report, dr.check(report), dr.disclosure_drafts(ctx, year)


# what the clerk chose for the Word file: title, 署名, 成文日期 ("" / None: the default)
Choices = tuple[str, str, date | None]


def _checked(
    ctx: AppContext, year: int, choices: Choices, progress: Progress
) -> tuple[DisclosureReport, list[str]]:
    progress(0, 1)
    title, signer, made_on = choices
    report = dr.disclosure_report(ctx, year, made_on, title=title, signer=signer)
    return report, dr.check(report)


def _write(report: DisclosureReport, target: Path, progress: Progress) -> None:
    progress(0, 1)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        from gongkai_desktop.services.disclosure.report_xlsx import write_disclosure_xlsx

        write_disclosure_xlsx(report, target)
    elif suffix == ".docx":
        from gongkai_desktop.services.disclosure.report_docx import write_disclosure_docx

        write_disclosure_docx(report, target)
    else:
        text = json.dumps(report.json(), ensure_ascii=False, indent=2) + "\n"

        def write(handle: BinaryIO) -> None:
            handle.write(text.encode("utf-8"))

        write_atomically(target, write)
    progress(1, 1)


def _read_only_table(rows: int, columns: int) -> QTableWidget:
    table = QTableWidget(rows, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setWordWrap(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    for column in range(columns):
        for row in range(rows):
            item = QTableWidgetItem()
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            table.setItem(row, column, item)
    return table


def _item(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """A cell of a table :func:`_read_only_table` made, which gives every cell an item."""
    item = table.item(row, column)
    assert item is not None
    return item


def _fit_height(table: QTableWidget) -> None:
    """Show every row: the table never scrolls inside the tab's scroll area."""
    table.resizeRowsToContents()
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(rows + table.horizontalHeader().height() + 2 * table.frameWidth() + 2)


def _table3_labels(table: QTableWidget) -> None:
    """The label columns A–C of table 三 with the merges of the official form."""

    def label(row: int, column: int, text: str, rows: int = 1, columns: int = 1) -> None:
        _item(table, row, column).setText(text)
        if rows > 1 or columns > 1:
            table.setSpan(row, column, rows, columns)

    for row, path in enumerate(T3_ROWS):
        if path[0] != dr.T3_RESULTS:
            label(row, 0, path[0], columns=3)
        elif path == dr.ROW_TOTAL:
            label(row, 1, path[1], columns=2)
    # 三、本年度办理结果 runs down the narrow column A: its text is set once the rows
    # have their heights (resizeRowsToContents would make its first row that tall)
    table.setSpan(2, 0, len(dr.RESULT_ROWS) + 1, 1)
    row = 2
    for group, leaves in RESULT_GROUPS:
        if not leaves:
            label(row, 1, group, columns=2)
        else:
            label(row, 1, group, rows=len(leaves))
            for offset, leaf in enumerate(leaves):
                label(row + offset, 2, leaf)
        row += max(1, len(leaves))


def _count_spin() -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, MAX_SPIN)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setMinimumWidth(90)
    return spin


def _group(title: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setSpacing(6)
    return box, layout


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


class DisclosureTab(ReportTab):
    formats = (".xlsx", ".docx", ".json")

    def __init__(
        self,
        ctx: AppContext,
        location: SaveLocation,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, location, parent)
        # what is stored for the loaded year
        self.saved_texts = DisclosureTexts()
        self.saved_table2: Table2 | None = None
        self.prefill = Table2()
        self.saved_carried: Row | None = None
        # the last preview (None while it is computed)
        self.report: DisclosureReport | None = None
        self.problems: list[str] = []
        self.drafts: DisclosureTexts | None = None
        self._preview_tasks: dict[int, Task] = {}
        self._preview_token = 0

        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(default_year(today or date.today()))
        self.year.setSuffix(self.tr(" 年度"))
        self.year.setKeyboardTracking(False)
        self.loaded_year = self.year.value()
        self.year.valueChanged.connect(self._year_changed)
        self.preview_status = QLabel()
        self.preview_status.setStyleSheet(HINT_STYLE)
        self.xlsx_button = self.export_buttons[".xlsx"]
        self.xlsx_button.setToolTip(self.tr("表二、表三、表四（官方格式）"))
        self.docx_button = self.export_buttons[".docx"]
        self.docx_button.setToolTip(self.tr("年度报告全文"))
        self.json_button = self.export_buttons[".json"]

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("年度：")))
        top.addWidget(self.year)
        top.addSpacing(12)
        top.addWidget(self.preview_status)
        top.addStretch(1)
        for button in self.export_buttons.values():
            top.addWidget(button)
        layout.addLayout(top)
        layout.addWidget(self.runner)

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 8, 0)
        body.setSpacing(12)
        body.addWidget(self._build_check())
        body.addWidget(self._build_document())
        body.addWidget(self._build_texts_bar())
        body.addWidget(self._text_box("overview"))
        body.addWidget(self._build_table2())
        body.addWidget(self._build_table3())
        body.addWidget(self._build_table4())
        body.addWidget(self._text_box("problems"))
        body.addWidget(self._text_box("other"))
        body.addWidget(self._text_box("proposals"))
        body.addWidget(self._text_box("innovation"))
        body.addStretch(1)
        self.scroll_area = QScrollArea()  # not "scroll": that is QWidget.scroll()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        layout.addWidget(self.scroll_area, 1)
        self.load_year(self.loaded_year)

    # ---- building -----------------------------------------------------------------------
    def _build_check(self) -> QGroupBox:
        box, layout = _group(self.tr("勾稽关系检查"))
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        self.check_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.check_label)
        return box

    def _build_document(self) -> QGroupBox:
        """Title, 署名 and 成文日期 of the Word file; empty means the default shown grey."""
        box, layout = _group(self.tr("标题、署名和成文日期（导出 Word 时使用）"))
        grid = QGridLayout()
        self.title_edit = QLineEdit()
        self.signer_edit = QLineEdit()
        self.signer_edit.setMaximumWidth(320)
        self.date_check = QCheckBox(self.tr("指定"))
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy年M月d日")
        self.date_edit.setEnabled(False)
        self.date_check.toggled.connect(self.date_edit.setEnabled)
        self.date_hint = _hint(self.tr("不指定时为该年度最后一个工作日"))
        grid.addWidget(QLabel(self.tr("标题：")), 0, 0)
        grid.addWidget(self.title_edit, 0, 1, 1, 4)
        grid.addWidget(QLabel(self.tr("署名：")), 1, 0)
        grid.addWidget(self.signer_edit, 1, 1)
        grid.addWidget(QLabel(self.tr("成文日期：")), 1, 2)
        dated = QHBoxLayout()
        dated.addWidget(self.date_check)
        dated.addWidget(self.date_edit)
        dated.addWidget(self.date_hint, 1)
        grid.addLayout(dated, 1, 3, 1, 2)
        grid.setColumnStretch(4, 1)
        layout.addLayout(grid)
        return box

    def choices(self) -> Choices:
        made_on = self.date_edit.date().toPython() if self.date_check.isChecked() else None
        assert made_on is None or isinstance(made_on, date)
        return self.title_edit.text().strip(), self.signer_edit.text().strip(), made_on

    def _build_texts_bar(self) -> QWidget:
        self.edits: dict[str, QPlainTextEdit] = {}
        self.save_texts_button = QPushButton(self.tr("保存文字"))
        self.save_texts_button.clicked.connect(self.save_texts)
        self.drafts_button = QPushButton(self.tr("使用草稿"))
        self.drafts_button.setToolTip(self.tr("把根据本年数据生成的草稿填入各段文字，再按需修改"))
        self.drafts_button.clicked.connect(self.use_drafts)
        self.saved_label = QLabel()
        self.saved_label.setStyleSheet(HINT_STYLE)
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(
            _hint(
                self.tr(
                    "一、五、六各段文字由您撰写，按年度保存；某段留空时，报告使用灰色显示的草稿。"
                )
            ),
            1,
        )
        row.addWidget(self.saved_label)
        row.addWidget(self.drafts_button)
        row.addWidget(self.save_texts_button)
        return bar

    def _text_box(self, part: str) -> QWidget:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setMinimumHeight(150)
        edit.textChanged.connect(self._update_state)
        self.edits[part] = edit
        box, layout = _group(dr.TEXT_LABELS[part])
        layout.addWidget(edit)
        return box

    def _build_table2(self) -> QGroupBox:
        box, layout = _group(dr.SECTION_HEADINGS[1] + self.tr("（表二）"))
        self.table2_spins: dict[str, QSpinBox | QDoubleSpinBox] = {}
        for part in TABLE2_PARTS:
            if part == "fees":
                money = QDoubleSpinBox()
                money.setDecimals(2)
                money.setRange(0, MAX_SPIN + 0.99)
                money.setSuffix(self.tr(" 万元"))
                money.setAlignment(Qt.AlignmentFlag.AlignRight)
                money.setMinimumWidth(120)
                spin: QSpinBox | QDoubleSpinBox = money
            else:
                spin = _count_spin()
            spin.setToolTip(T2_LABELS[part])
            spin.valueChanged.connect(self._update_state)
            self.table2_spins[part] = spin
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        for column, title in enumerate((dr.T2_MADE, dr.T2_ABOLISHED, dr.T2_IN_FORCE), start=1):
            grid.addWidget(QLabel(title), 0, column)
        for row, (name, prefix) in enumerate(
            ((dr.T2_RULES, "rules"), (dr.T2_NORMATIVE, "normative")), start=1
        ):
            grid.addWidget(QLabel(f"{name}："), row, 0)
            for column, kind in enumerate(("made", "abolished", "in_force"), start=1):
                grid.addWidget(self.table2_spins[f"{prefix}_{kind}"], row, column)
        singles = (
            (dr.T2_LICENSING, "licensing", dr.T2_DECISIONS),
            (dr.T2_PUNISHMENT, "punishment", dr.T2_DECISIONS),
            (dr.T2_ENFORCEMENT, "enforcement", dr.T2_DECISIONS),
            (dr.T2_CHARGES, "fees", self.tr("本年收费金额")),
        )
        for row, (name, part, what) in enumerate(singles, start=3):
            grid.addWidget(QLabel(f"{name}{what}："), row, 0)
            grid.addWidget(self.table2_spins[part], row, 1)
        grid.setColumnStretch(4, 1)
        layout.addLayout(grid)
        self.table2_note = QLabel()
        self.table2_note.setStyleSheet(HINT_STYLE)
        self.save_table2_button = QPushButton(self.tr("保存表二"))
        self.save_table2_button.clicked.connect(self.save_table2)
        self.prefill_button = QPushButton(self.tr("恢复预填"))
        self.prefill_button.setToolTip(self.tr("删除已保存的表二，重新按主动公开登记簿预填"))
        self.prefill_button.clicked.connect(self.restore_prefill)
        buttons = QHBoxLayout()
        buttons.addWidget(self.table2_note, 1)
        buttons.addWidget(self.prefill_button)
        buttons.addWidget(self.save_table2_button)
        layout.addLayout(buttons)
        return box

    def _build_table3(self) -> QGroupBox:
        box, layout = _group(dr.SECTION_HEADINGS[2] + self.tr("（表三，按依申请公开登记自动统计）"))
        self.carried_check = QCheckBox(self.tr("手工填写上年结转"))
        self.carried_check.setToolTip(
            self.tr("首年使用本程序、上年的申请未在登记簿中时填写；不勾选则按登记簿计算")
        )
        self.carried_check.toggled.connect(self._carried_toggled)
        self.carried_spins: dict[str, QSpinBox] = {}
        carried = QHBoxLayout()
        carried.addWidget(self.carried_check)
        for applicant in APPLICANT_COLUMNS:
            spin = _count_spin()
            spin.setMinimumWidth(64)
            spin.valueChanged.connect(self._update_state)
            self.carried_spins[applicant] = spin
            carried.addSpacing(6)
            carried.addWidget(QLabel(applicant))
            carried.addWidget(spin)
        carried.addStretch(1)
        self.save_carried_button = QPushButton(self.tr("保存上年结转"))
        self.save_carried_button.clicked.connect(self.save_carried)
        carried.addWidget(self.save_carried_button)
        layout.addLayout(carried)
        layout.addWidget(_hint(dr.T3_NOTE))
        self.table3 = _read_only_table(len(T3_ROWS), 3 + len(T3_COLUMNS))
        self.table3.setHorizontalHeaderLabels([self.tr("项目"), "", "", *T3_COLUMNS])
        self.table3.verticalHeader().setVisible(False)
        for column, width in enumerate(LABEL_WIDTHS):
            self.table3.setColumnWidth(column, width)
        for column in range(3, 3 + len(T3_COLUMNS)):
            self.table3.setColumnWidth(column, NUMBER_WIDTH)
        _table3_labels(self.table3)
        _fit_height(self.table3)
        _item(self.table3, 2, 0).setText(dr.T3_RESULTS)
        layout.addWidget(self.table3)
        return box

    def _build_table4(self) -> QGroupBox:
        box, layout = _group(dr.SECTION_HEADINGS[3] + self.tr("（表四，按复议诉讼登记自动统计）"))
        self.table4 = _read_only_table(len(T4_GROUPS), len(T4_COLUMNS))
        self.table4.setHorizontalHeaderLabels(list(T4_COLUMNS))
        self.table4.setVerticalHeaderLabels(
            [g if g == T4_REVIEW else f"{dr.T4_LITIGATION}（{g}）" for g in T4_GROUPS]
        )
        for column in range(len(T4_COLUMNS)):
            self.table4.setColumnWidth(column, NUMBER_WIDTH + 14)
        _fit_height(self.table4)
        layout.addWidget(self.table4)
        return box

    # ---- a year's entries ---------------------------------------------------------------
    def texts(self) -> DisclosureTexts:
        return DisclosureTexts(**{part: self.edits[part].toPlainText() for part in TEXT_PARTS})

    def table2_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            part: spin.value() for part, spin in self.table2_spins.items() if part != "fees"
        }
        values["fees"] = f"{self.table2_spins['fees'].value():.2f}"
        return values

    def carried_values(self) -> Row | None:
        if not self.carried_check.isChecked():
            return None
        counts = tuple(self.carried_spins[c].value() for c in APPLICANT_COLUMNS)
        return (*counts, sum(counts))

    @property
    def table2_shown(self) -> Table2:
        """What the figures were loaded as: the saved table, or the prefill."""
        return self.saved_table2 if self.saved_table2 is not None else self.prefill

    @property
    def texts_dirty(self) -> bool:
        current = self.texts()
        return any(
            getattr(current, p).strip() != getattr(self.saved_texts, p).strip() for p in TEXT_PARTS
        )

    @property
    def table2_dirty(self) -> bool:
        shown = self.table2_shown
        baseline = {p: getattr(shown, p) for p in TABLE2_PARTS}
        baseline["fees"] = shown.fees_text
        return self.table2_values() != baseline

    @property
    def carried_dirty(self) -> bool:
        return self.carried_values() != self.saved_carried

    @property
    def dirty(self) -> bool:
        return self.texts_dirty or self.table2_dirty or self.carried_dirty

    @property
    def busy(self) -> bool:
        """An export runs or the preview is being computed (it reads the database)."""
        return self.runner.busy or bool(self._preview_tasks)

    def load_year(self, year: int) -> bool:
        try:
            texts = dr.load_disclosure_texts(self.ctx, year)
            saved_table2 = dr.load_table2(self.ctx, year)
            prefill = dr.table2_prefill(self.ctx, year)
            carried = dr.load_carried_in(self.ctx, year)
        except Exception as exc:
            show_error(self, exc, self.tr("无法读取信息公开年报"))
            return False
        self.loaded_year = year
        self.saved_texts, self.saved_table2, self.prefill = texts, saved_table2, prefill
        self.saved_carried = carried
        self.report = None  # the last preview was of another year
        for part in TEXT_PARTS:
            self.edits[part].setPlainText(getattr(texts, part))
        self._show_table2(self.table2_shown)
        self._show_carried(carried)
        self.refresh()
        return True

    def _show_table2(self, table: Table2) -> None:
        for part, spin in self.table2_spins.items():
            value = getattr(table, part)
            if isinstance(spin, QDoubleSpinBox):
                spin.setValue(float(value))
            else:
                spin.setValue(value)
        if self.saved_table2 is None:
            self.table2_note.setText(self.tr("（按主动公开登记簿预填，尚未保存）"))
        else:
            self.table2_note.setText(self.tr("（已保存{0}年度的表二）").format(self.loaded_year))

    def _show_carried(self, carried: Row | None) -> None:
        self.carried_check.setChecked(carried is not None)
        if carried is not None:
            for column, value in zip(APPLICANT_COLUMNS, carried, strict=False):
                self.carried_spins[column].setValue(value)
        self._carried_toggled(carried is not None)

    def _carried_toggled(self, typed: bool) -> None:
        for spin in self.carried_spins.values():
            spin.setEnabled(typed)
        if not typed and self.report is not None:  # show what the register says
            self._show_computed_carried(self.report)
        self._update_state()

    def _show_computed_carried(self, report: DisclosureReport) -> None:
        for column, value in zip(APPLICANT_COLUMNS, report.previous_carried_out, strict=False):
            self.carried_spins[column].setValue(value)

    # ---- the preview --------------------------------------------------------------------
    def refresh(self) -> None:
        """Compute tables 三、四, the check and the drafts of the loaded year on the pool."""
        self._preview_token += 1
        token, year, ctx = self._preview_token, self.loaded_year, self.ctx
        self.report, self.drafts = None, None
        self.preview_status.setText(self.tr("正在统计{0}年的数据…").format(year))
        for edit in self.edits.values():
            edit.setPlaceholderText(self.tr("正在根据{0}年的数据生成草稿…").format(year))

        def work() -> tuple[int, Preview | None, Exception | None]:
            try:
                return token, _preview(ctx, year), None
            except Exception as exc:  # reported with its token: a stale failure is ignored
                return token, None, exc

        self._preview_tasks[token] = start_task(work, self._previewed, self._previewed)
        self._update_state()

    def _previewed(self, result: Any) -> None:
        if not isinstance(result, tuple):  # Task.failed: work() itself never raises
            self._preview_tasks.clear()
            show_error(self, result, self.tr("无法统计信息公开年报"))
            return
        token, preview, exc = result
        self._preview_tasks.pop(token, None)
        if token != self._preview_token:
            self._update_state()
            return  # another year (or a save) asked for a newer preview
        self.preview_status.setText("")
        if preview is None:
            for edit in self.edits.values():
                edit.setPlaceholderText("")
            self._update_state()
            show_error(self, exc or RuntimeError("no preview"), self.tr("无法统计信息公开年报"))
            return
        report, problems, drafts = preview
        self._show_report(report, problems)
        self.drafts = drafts
        for part in TEXT_PARTS:
            self.edits[part].setPlaceholderText(getattr(drafts, part))
        self._update_state()

    def _show_report(self, report: DisclosureReport, problems: list[str]) -> None:
        self.report, self.problems = report, problems
        # the defaults, shown where the clerk chose nothing
        self.title_edit.setPlaceholderText(report.title)
        self.signer_edit.setPlaceholderText(report.signer or self.tr("（设置中未填写单位名称）"))
        if not self.date_check.isChecked():
            made = report.made_on
            self.date_edit.setDate(QDate(made.year, made.month, made.day))
        for row, path in enumerate(T3_ROWS):
            for column, value in enumerate(report.table3[path]):
                self._number(_item(self.table3, row, 3 + column), value)
        for row, group in enumerate(T4_GROUPS):
            for column, value in enumerate(report.table4[group]):
                self._number(_item(self.table4, row, column), value)
        if not self.carried_check.isChecked():
            self._show_computed_carried(report)
        if problems:
            lines = [self.tr("存在{0}处不一致：").format(len(problems))]
            lines += [f"• {p}" for p in problems]
            self.check_label.setStyleSheet(ERROR_STYLE)
            self.check_label.setText("\n".join(lines))
        else:
            self.check_label.setStyleSheet(OK_STYLE)
            self.check_label.setText(self.tr("勾稽关系检查通过"))

    @staticmethod
    def _number(item: QTableWidgetItem, value: int) -> None:
        item.setText(str(value))
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)

    def table3_row(self, path: dr.Path) -> list[int]:
        """The numbers the preview shows for a row of table 三 (for tests and checks)."""
        row = T3_ROWS.index(path)
        return [int(_item(self.table3, row, 3 + c).text()) for c in range(len(T3_COLUMNS))]

    # ---- changing year ------------------------------------------------------------------
    def _year_changed(self, year: int) -> None:
        if year == self.loaded_year:
            return
        if not self.confirm_leave() or not self.load_year(year):
            self.year.blockSignals(True)
            self.year.setValue(self.loaded_year)
            self.year.blockSignals(False)

    def confirm_leave(self) -> bool:
        """Before the year's entries are left (another year, closing): save or discard
        unsaved changes. False if the clerk cancelled or saving failed."""
        if not self.dirty:
            return True
        return save_or_discard(
            self,
            self.tr("尚未保存"),
            self.tr("{0}年信息公开年报的表二、上年结转或文字有修改尚未保存。要先保存吗？").format(
                self.loaded_year
            ),
            self.save_all,
        )

    def _update_state(self) -> None:
        super()._update_state()
        idle = not self.runner.busy
        texts_dirty = self.texts_dirty
        self.save_texts_button.setEnabled(idle and texts_dirty)
        self.drafts_button.setEnabled(idle and self.drafts is not None)
        self.save_table2_button.setEnabled(
            idle and (self.table2_dirty or self.saved_table2 is None)
        )
        self.prefill_button.setEnabled(idle and self.saved_table2 is not None)
        self.save_carried_button.setEnabled(idle and self.carried_dirty)
        self.year.setEnabled(idle)
        self.saved_label.setText(self.tr("文字有修改尚未保存") if texts_dirty else "")

    # ---- saving -------------------------------------------------------------------------
    def _saved(self, action: Any, failure: str) -> bool:
        try:
            action()
        except Exception as exc:
            show_error(self, exc, failure)
            return False
        return True

    def save_texts(self) -> bool:
        def action() -> None:
            self.saved_texts = dr.save_disclosure_texts(self.ctx, self.loaded_year, self.texts())

        if not self._saved(action, self.tr("保存文字失败")):
            return False
        self._update_state()
        self.saved_label.setText(self.tr("已保存{0}年度的文字").format(self.loaded_year))
        return True

    def save_table2(self) -> bool:
        year, values = self.loaded_year, self.table2_values()
        if not self._saved(lambda: dr.save_table2(self.ctx, year, values), self.tr("保存表二失败")):
            return False
        self.saved_table2 = dr.load_table2(self.ctx, year)
        self._show_table2(self.table2_shown)
        self.refresh()
        return True

    def restore_prefill(self) -> None:
        year = self.loaded_year
        if not self._saved(lambda: dr.save_table2(self.ctx, year, None), self.tr("恢复预填失败")):
            return
        self.saved_table2 = None
        self.prefill = dr.table2_prefill(self.ctx, year)
        self._show_table2(self.prefill)
        self.refresh()

    def save_carried(self) -> bool:
        year, typed = self.loaded_year, self.carried_values()
        counts = None if typed is None else dict(zip(APPLICANT_COLUMNS, typed, strict=False))
        if not self._saved(
            lambda: dr.save_carried_in(self.ctx, year, counts), self.tr("保存上年结转失败")
        ):
            return False
        self.saved_carried = dr.load_carried_in(self.ctx, year)
        self.refresh()
        return True

    def save_all(self) -> bool:
        """Save whatever has changed; False as soon as a part fails."""
        if self.texts_dirty and not self.save_texts():
            return False
        if self.table2_dirty and not self.save_table2():
            return False
        return not self.carried_dirty or self.save_carried()

    def use_drafts(self) -> None:
        if self.drafts is not None:
            fill_with_drafts(self, self.edits, self.drafts)

    # ---- export -------------------------------------------------------------------------
    def confirm_export(self) -> bool:
        return not self.dirty or save_or_discard(
            self,
            self.tr("尚未保存"),
            self.tr(
                "报告按已保存的数字和文字生成，而当前修改尚未保存。\n"
                "选“保存”先保存再导出，选“放弃”按上次保存的内容导出。"
            ),
            self.save_all,
        )

    def start_export(self, suffix: str) -> None:
        """Build and check the report on the pool, ask when the check finds problems,
        then write that same report."""
        ctx, year, choices = self.ctx, self.loaded_year, self.choices()
        self.runner.run(
            lambda progress: _checked(ctx, year, choices, progress),
            lambda result: self._export_checked(suffix, *result),
            self.tr("正在统计{0}年的数据…").format(year),
        )

    def _export_checked(self, suffix: str, report: DisclosureReport, problems: list[str]) -> None:
        if report.year == self.loaded_year:
            self._show_report(report, problems)
        warnings = dr.export_warnings(report)
        if problems or warnings:
            ask = (
                self.tr("存在{0}处不一致，仍要导出吗？").format(len(problems))
                if problems
                else self.tr("仍要导出吗？")
            )
            answer = QMessageBox.question(
                self,
                self.tr("数据不一致") if problems else self.tr("设置不完整"),
                "\n".join([*warnings, ask]),
                Button.Yes | Button.No,
                Button.No,
            )
            if answer != Button.Yes:
                return
        self.write_report(
            suffix,
            ExportJob(
                dialog_title=self.tr("导出信息公开年报"),
                title=f"{report.year}{REPORT_TITLE}",
                write=lambda target, progress: _write(report, target, progress),
                unit=report.unit,
            ),
        )


__all__ = ["DisclosureTab", "default_year"]
