"""活动总结 tab: pick outreach events (date range, type, words), give the summary a title
and a 情况说明 if wanted, and export the 活动开展情况 as a Word document.

The picker lists what ``services.report_activity.activity_events`` returns (one SQL
query); the ticks survive a change of filter, so the clerk can search for one event,
tick it, search for another. The summary itself is built in the worker at export time.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from gongkai_desktop.domain.periods import Period, period_between
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.ui.reports.base_tab import ExportJob, ReportTab
from gongkai_desktop.ui.reports.export import Progress, SaveLocation, tab_layout
from gongkai_desktop.ui.style import ERROR_STYLE, HINT_STYLE

EVENT_FORM = "outreach_event"
TYPE_FIELD = "event_type"
COLUMNS = ("日期", "活动名称", "类型", "受众人次", "照片")
ID_ROLE = Qt.ItemDataRole.UserRole
SEARCH_DELAY_MS = 300


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def _write(
    ctx: AppContext,
    ids: list[str],
    texts: tuple[str, str, str],
    made_on: date | None,
    target: Path,
    progress: Progress,
) -> Any:
    from gongkai_desktop.services.reports.activity import activity_summary
    from gongkai_desktop.services.reports.writers.activity_docx import write_activity_docx

    title, theme, description = texts
    progress(0, 2)
    summary = activity_summary(
        ctx,
        ids,
        title=title or None,
        description=description or None,
        made_on=made_on,
        theme=theme or None,
    )
    progress(1, 2)
    write_activity_docx(summary, target)
    progress(2, 2)
    return summary


class ActivityTab(ReportTab):
    formats = (".docx",)

    def __init__(
        self,
        ctx: AppContext,
        location: SaveLocation,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, location, parent)
        self.checked: set[str] = set()  # ticked event ids, whatever the filter shows
        self._dates: dict[str, date | None] = {}  # event id -> date, of every event seen
        today = today or date.today()
        first_of_last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)

        self.start = QDateEdit(_qdate(first_of_last_month))
        self.end = QDateEdit(_qdate(today))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self.refresh)
        self.type_combo = QComboBox()
        self.type_combo.addItem(self.tr("全部类型"), "")
        form = ctx.registry.forms.get(EVENT_FORM)
        if form is not None and form.has_field(TYPE_FIELD):
            for label in form.field(TYPE_FIELD).choices:
                self.type_combo.addItem(label, label)
        self.type_combo.currentIndexChanged.connect(self.refresh)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("活动名称、地点等关键词"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.range_error = QLabel()
        self.range_error.setStyleSheet(ERROR_STYLE)
        self.range_error.setVisible(False)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels([self.tr(c) for c in COLUMNS])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(56)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.itemActivated.connect(self._toggle)
        self.check_all_button = QPushButton(self.tr("全选"))
        self.check_all_button.clicked.connect(lambda: self._check_shown(True))
        self.check_none_button = QPushButton(self.tr("全不选"))
        self.check_none_button.clicked.connect(lambda: self._check_shown(False))
        self.count_label = QLabel()
        self.count_label.setStyleSheet(HINT_STYLE)

        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(
            self.tr("可不填：按所选活动自动拟定，如“六五环境日”活动开展情况")
        )
        self.theme_edit = QPlainTextEdit()
        self.theme_edit.setPlaceholderText(
            self.tr("可不填：按活动名称和类型自动撰写“活动主题”部分。")
        )
        self.theme_edit.setTabChangesFocus(True)
        self.theme_edit.setMaximumHeight(60)
        # 成文日期: the last event's date unless the clerk picks one
        self.date_check = QCheckBox(self.tr("指定"))
        self.date_edit = QDateEdit(_qdate(today))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy年M月d日")
        self.date_edit.setEnabled(False)
        self.date_check.toggled.connect(self.date_edit.setEnabled)
        self.date_hint = QLabel(self.tr("不指定时为最后一场活动的日期"))
        self.date_hint.setStyleSheet(HINT_STYLE)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setPlaceholderText(
            self.tr("可不填：根据各项活动记录中的“活动情况”自动撰写“工作成效”部分。")
        )
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(110)
        self.export_button = self.export_buttons[".docx"]

        layout = tab_layout(
            self,
            self.tr(
                "勾选一项或几项宣传活动（如一次主题日的多场活动），生成“活动开展情况”Word 文档，"
                "含活动主题、活动概况、开展情况、统计表和活动照片。"
            ),
        )
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("活动日期：")))
        filters.addWidget(self.start)
        filters.addWidget(QLabel(self.tr("至")))
        filters.addWidget(self.end)
        filters.addSpacing(12)
        filters.addWidget(QLabel(self.tr("类型：")))
        filters.addWidget(self.type_combo)
        filters.addSpacing(12)
        filters.addWidget(QLabel(self.tr("搜索：")))
        filters.addWidget(self.search, 1)
        layout.addLayout(filters)
        layout.addWidget(self.range_error)
        layout.addWidget(self.tree, 1)
        picks = QHBoxLayout()
        picks.addWidget(self.check_all_button)
        picks.addWidget(self.check_none_button)
        picks.addWidget(self.count_label, 1)
        layout.addLayout(picks)
        details = QFormLayout()
        details.addRow(self.tr("标题："), self.title_edit)
        details.addRow(self.tr("活动主题："), self.theme_edit)
        details.addRow(self.tr("情况说明："), self.description_edit)
        dated = QHBoxLayout()
        dated.addWidget(self.date_check)
        dated.addWidget(self.date_edit)
        dated.addWidget(self.date_hint, 1)
        details.addRow(self.tr("成文日期："), dated)
        layout.addLayout(details)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        layout.addLayout(actions)
        layout.addWidget(self.runner)
        self.refresh()

    # ---- the event list -----------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # events may have been added or deleted on other pages

    def period(self) -> Period | None:
        try:
            period = period_between(_pydate(self.start.date()), _pydate(self.end.date()))
        except Exception as exc:  # PeriodError: from-date after to-date
            self.range_error.setText(str(exc))
            self.range_error.setVisible(True)
            return None
        self.range_error.setVisible(False)
        return period

    def refresh(self) -> None:
        from gongkai_desktop.services.reports.activity import activity_events

        self._search_timer.stop()
        period = self.period()
        events = []
        if period is not None and EVENT_FORM in self.ctx.registry.forms:
            try:
                events = activity_events(
                    self.ctx,
                    period,
                    event_type=self.type_combo.currentData() or None,
                    text=self.search.text().strip() or None,
                )
            except Exception as exc:  # shown in place of the list; the export reports too
                self.range_error.setText(self.tr("无法读取宣传活动：{0}").format(exc))
                self.range_error.setVisible(True)
        self.tree.blockSignals(True)
        self.tree.clear()
        for event in events:
            self._dates[event.id] = event.date
            item = QTreeWidgetItem(
                [
                    event.date.isoformat() if event.date else "",
                    event.name,
                    event.type,
                    str(event.audience),
                    self.tr("{0} 张").format(event.photos) if event.photos else "",
                ]
            )
            item.setData(0, ID_ROLE, event.id)
            item.setToolTip(1, event.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = event.id in self.checked
            item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            for column in (3, 4):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignCenter)
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        self._update_state()

    def _shown_items(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(row) for row in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def shown_ids(self) -> list[str]:
        return [str(item.data(0, ID_ROLE)) for item in self._shown_items()]

    def set_checked(self, event_id: str, checked: bool) -> None:
        for item in self._shown_items():
            if item.data(0, ID_ROLE) == event_id:
                item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(event_id)

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column != 0:
            return
        event_id = str(item.data(0, ID_ROLE))
        if item.checkState(0) == Qt.CheckState.Checked:
            self.checked.add(event_id)
        else:
            self.checked.discard(event_id)
        self._update_state()

    def _toggle(self, item: QTreeWidgetItem, _column: int) -> None:
        checked = item.checkState(0) == Qt.CheckState.Checked
        item.setCheckState(0, Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _check_shown(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for item in self._shown_items():
            item.setCheckState(0, state)

    def can_export(self) -> bool:
        return bool(self.checked)

    def _update_state(self) -> None:
        super()._update_state()
        idle = not self.runner.busy
        shown = set(self.shown_ids())
        hidden = len(self.checked - shown)
        text = self.tr("列出 {0} 项活动，已勾选 {1} 项").format(len(shown), len(self.checked))
        if hidden:
            text += self.tr("（其中 {0} 项不在当前列表中，也会写入总结）").format(hidden)
        self.count_label.setText(text)
        for widget in (self.check_all_button, self.check_none_button):
            widget.setEnabled(idle and bool(shown))

    # ---- export -------------------------------------------------------------------------
    def export_job(self, suffix: str) -> ExportJob:
        from gongkai_desktop.services.reports.activity import date_span

        ids = sorted(self.checked, key=lambda i: (self._dates.get(i) or date.max, i))
        title = self.title_edit.text().strip()
        theme = self.theme_edit.toPlainText().strip()
        description = self.description_edit.toPlainText().strip()
        made_on = _pydate(self.date_edit.date()) if self.date_check.isChecked() else None
        if not title:
            days = [d for d in (self._dates.get(i) for i in ids) if d]
            span = date_span(min(days), max(days)) if days else ""
            name_title = self.tr("{0}宣传活动开展情况").format(span)
        else:
            name_title = title
        ctx = self.ctx
        return ExportJob(
            dialog_title=self.tr("导出活动总结"),
            title=name_title,
            write=lambda target, progress: _write(
                ctx, ids, (title, theme, description), made_on, target, progress
            ),
            notes=self._notes,
        )

    def _notes(self, summary: Any) -> str:
        notes = list(getattr(summary, "warnings", ()))
        missing = list(getattr(summary, "missing_photos", ()))
        if missing:
            notes.append(
                self.tr("有 {0} 张照片的文件找不到，未放入总结：{1}").format(
                    len(missing), "；".join(missing)
                )
            )
        return "；".join(notes)


__all__ = ["ActivityTab"]
