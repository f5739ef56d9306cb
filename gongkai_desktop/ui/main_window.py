"""The main window: left navigation over the modules, one page per module.

Which module shows which forms is declared in ``MODULES``; a module whose form files
are not in ``forms/`` yet says so instead of showing an empty imitation. A county
database (设置 → 本机用途：县级汇总) gets ``COUNTY_MODULES`` instead: the pages of
receiving townships' packages first, the township 工作台 left out (its counts are one
township's work), the record lists, ledgers and reports over every township. The window
owns the AppContext: after a restore replaced the database it reopens it
(``reopen()``) and rebuilds every page from the new context.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop import APP_NAME
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import is_county, load_settings
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui.county.conflicts_page import ConflictsPage
from gongkai_desktop.ui.county.receive_page import ReceivePage
from gongkai_desktop.ui.county.status_page import StatusPage
from gongkai_desktop.ui.county.townships_page import TownshipsPage
from gongkai_desktop.ui.dashboard import DashboardPage
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.ledgers.ledger_page import LedgerPage
from gongkai_desktop.ui.records.editor import RecordEditor
from gongkai_desktop.ui.records.record_list import RecordListPage
from gongkai_desktop.ui.reports.page import ReportPage
from gongkai_desktop.ui.scrolling import page_scroll
from gongkai_desktop.ui.settings_page import SettingsPage
from gongkai_desktop.ui.style import NOTE_STYLE, emphasise


@dataclass(frozen=True)
class Module:
    title: str
    kind: str  # forms | dashboard | ledgers | reports | settings | recycle_bin | county_*
    form_ids: tuple[str, ...] = ()


MODULES: tuple[Module, ...] = (
    Module("工作台", "dashboard"),
    Module("巡查检查", "forms", ("inspection",)),
    Module("宣传活动", "forms", ("outreach_event",)),
    Module("整改任务", "forms", ("rectification_task",)),
    Module("其他工作", "forms", ("other_work", "annual_indicator")),
    Module("信息公开", "forms", ("disclosure_item", "disclosure_request", "review_case")),
    Module("监管对象", "forms", ("site",)),
    Module("台账导出", "ledgers"),
    Module("报表", "reports"),
    Module("设置", "settings"),
    Module("回收站", "recycle_bin"),
)

COUNTY_MODULES: tuple[Module, ...] = (
    Module("报送情况", "county_status"),
    Module("接收报送包", "county_receive"),
    Module("冲突处理", "county_conflicts"),
    Module("乡镇管理", "county_townships"),
    *(m for m in MODULES if m.kind != "dashboard"),
)


def modules_for(county: bool) -> tuple[Module, ...]:
    return COUNTY_MODULES if county else MODULES


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


class NotePage(QWidget):
    """An honest page for what is not there yet: a heading and a few lines of text."""

    def __init__(self, heading: str, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        title = QLabel(heading)
        emphasise(title, 1.3)
        layout.addWidget(title)
        for index, line in enumerate(lines):
            label = QLabel(line)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setStyleSheet(NOTE_STYLE if index == 0 else "")
            layout.addWidget(label)
        layout.addStretch(1)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = RecordService(ctx)
        self.ledger_page: LedgerPage | None = None
        self.report_page: ReportPage | None = None
        self.list_pages: dict[str, RecordListPage] = {}
        self.editor: RecordEditor | None = None
        self.dashboard: DashboardPage | None = None
        self.status_page: StatusPage | None = None
        self.receive_page: ReceivePage | None = None
        self.conflicts_page: ConflictsPage | None = None
        self.townships_page: TownshipsPage | None = None
        self.county = False
        self.modules: tuple[Module, ...] = MODULES
        self.setObjectName("MainWindow")

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setStyleSheet(
            "QListWidget#navigation { font-size: 11pt; padding: 6px 0; outline: 0; }"
            " QListWidget#navigation::item { padding: 7px 16px; }"
        )
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 6, 0)
        row.setSpacing(6)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # no database path in the status bar: where the files lie is in 设置 → 数据与备份
        self.pages: list[QWidget] = []  # one per module, in self.modules order (unwrapped)

        self._build_pages()
        # the first page was just built with fresh figures: select it before listening,
        # so the 工作台 is not computed a second time on start (issue 16)
        self.nav.setCurrentRow(0)
        self.stack.setCurrentIndex(0)
        self.nav.currentRowChanged.connect(self._show_page)
        self.resize(1180, 760)

    # ---- pages --------------------------------------------------------------------------
    def _build_pages(self) -> None:
        """(Re)build every page and the navigation from ``self.ctx``: the township's
        modules, or the county's when 设置 says 县级汇总."""
        while (page := self.stack.widget(0)) is not None:
            self.stack.removeWidget(page)
            page.deleteLater()
        self.list_pages = {}
        self.pages = []
        self.county = is_county(load_settings(self.ctx))
        self.modules = modules_for(self.county)
        blocked = self.nav.blockSignals(True)  # no page switch while the list is refilled
        self.nav.clear()
        for module in self.modules:
            self.nav.addItem(_tr(module.title))
        self.nav.blockSignals(blocked)
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 40)
        forms = self.service.registry.forms
        missing = [m.title for m in MODULES if m.kind == "forms" and not any(
            f in forms for f in m.form_ids
        )]  # fmt: skip
        self.dashboard = None
        self.status_page = None
        self.receive_page = None
        self.conflicts_page = None
        self.townships_page = None
        if not self.county:
            self.dashboard = DashboardPage(self.service, [_tr(t) for t in missing])
            self.dashboard.record_open_requested.connect(self.open_record)
        self.settings_page = SettingsPage(self.ctx)
        self.settings_page.settings_saved.connect(self._settings_saved)
        self.settings_page.restore_started.connect(self._restore_started)
        self.settings_page.restore_failed.connect(self._restore_failed)
        self.settings_page.backup_restored.connect(self._backup_restored)
        self.recycle_bin = RecordListPage(self.service, None, deleted=True)
        self.recycle_bin.restore_requested.connect(self.restore_record)
        for module in self.modules:
            page = self._module_page(module)
            self.pages.append(page)
            self.stack.addWidget(page_scroll(page))
        self._update_title()

    def _module_page(self, module: Module) -> QWidget:
        if module.kind == "dashboard" and self.dashboard is not None:
            return self.dashboard
        if module.kind == "county_status":
            self.status_page = StatusPage(self.ctx)
            return self.status_page
        if module.kind == "county_receive":
            self.receive_page = ReceivePage(self.ctx)
            self.receive_page.received.connect(self.refresh_lists)
            return self.receive_page
        if module.kind == "county_conflicts":
            self.conflicts_page = ConflictsPage(self.ctx)
            self.conflicts_page.resolved.connect(self.refresh_lists)
            return self.conflicts_page
        if module.kind == "county_townships":
            self.townships_page = TownshipsPage(self.ctx)
            return self.townships_page
        if module.kind == "settings":
            return self.settings_page
        if module.kind == "recycle_bin":
            return self.recycle_bin
        if module.kind == "ledgers":
            ledger_page = LedgerPage(self.ctx)
            ledger_page.records_imported.connect(self.refresh_lists)
            self.ledger_page = ledger_page
            return ledger_page
        if module.kind == "reports":
            self.report_page = ReportPage(self.ctx)
            return self.report_page
        pages = [(form_id, self._form_page(form_id)) for form_id in module.form_ids]
        if len(pages) == 1:
            return pages[0][1]
        tabs = QTabWidget()
        for form_id, page in pages:
            form = self.service.registry.forms.get(form_id)
            tabs.addTab(page, form.title if form else form_id)
        return tabs

    def _form_page(self, form_id: str) -> QWidget:
        if form_id not in self.service.registry.forms:
            return NotePage(
                self.tr("表单尚未配置"),
                [
                    self.tr("本模块的表单尚未配置（forms/ 目录中没有 {0} 表单）。").format(form_id),
                    self.tr(
                        "这部分功能将随后续版本提供。把定义好的表单文件放入 forms/ 目录"
                        "并重新打开软件后，这里会显示记录列表。"
                    ),
                ],
            )
        page = RecordListPage(self.service, form_id)
        page.new_requested.connect(lambda: self.open_editor(form_id))
        page.open_requested.connect(lambda record_id: self.open_editor(form_id, record_id))
        page.delete_requested.connect(self.delete_record)
        self.list_pages[form_id] = page
        return page

    def _show_page(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        # these pages show what may have changed elsewhere (backups, counts)
        if self.dashboard is not None and self.current_page() is self.dashboard:
            self.dashboard.refresh()
        elif self.current_page() is self.settings_page:
            self.settings_page.refresh_backups()

    def current_page(self) -> QWidget | None:
        row = self.stack.currentIndex()
        return self.pages[row] if 0 <= row < len(self.pages) else None

    def show_module(self, title: str) -> QWidget:
        """Switch to a module by its (untranslated) title; returns its page."""
        row = next(i for i, m in enumerate(self.modules) if m.title == title)
        self.nav.setCurrentRow(row)
        return self.pages[row]

    def _update_title(self) -> None:
        unit = load_settings(self.ctx)["unit_name"] or self.tr("未设置单位名称")
        self.setWindowTitle(self.tr("{0} — {1}").format(APP_NAME, unit))

    def refresh_lists(self) -> None:
        for page in self.list_pages.values():
            page.refresh()
        self.recycle_bin.refresh()
        if self.dashboard is not None:
            self.dashboard.refresh()

    def record_changed(self, record_id: str, form_id: str) -> None:
        """One record was saved, deleted or restored: its row changes in place in each
        list (a small query or two per list) instead of every list being read again."""
        for page in self.list_pages.values():
            page.record_changed(record_id, form_id)
        self.recycle_bin.record_changed(record_id, form_id)
        if self.dashboard is not None:
            self.dashboard.refresh()

    # ---- record actions -----------------------------------------------------------------
    def open_editor(self, form_id: str, record_id: str | None = None) -> RecordEditor | None:
        try:
            editor = RecordEditor(self.service, form_id, record_id, parent=self)
        except Exception as exc:
            show_error(self, exc, self.tr("无法打开记录"))
            return None
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.record_saved.connect(self._record_saved)
        # a task made by 生成整改任务, or a record opened from a link, saved in a child editor
        editor.related_record_saved.connect(self._record_saved)
        editor.finished.connect(lambda _result: self._editor_finished(editor))
        self.editor = editor
        editor.open()  # window-modal, without a nested event loop
        return editor

    def open_record(self, record_id: str) -> RecordEditor | None:
        """Open a record's editor knowing only its id (e.g. from the 工作台)."""
        try:
            form_id = self.service.get(record_id).form_id
        except Exception as exc:
            show_error(self, exc, self.tr("无法打开记录"))
            return None
        return self.open_editor(form_id, record_id)

    def _editor_finished(self, editor: RecordEditor) -> None:
        if self.editor is editor:
            self.editor = None

    def _record_saved(self, record_id: str) -> None:
        try:
            view = self.service.get(record_id)
        except Exception as exc:
            show_error(self, exc)
            return
        self.record_changed(record_id, view.form_id)
        page = self.list_pages.get(view.form_id)
        if page is not None:
            page.select_record(record_id)
        self.statusBar().showMessage(self.tr("已保存“{0}”").format(view.title), 8000)

    def delete_record(self, record_id: str) -> None:
        try:
            view = self.service.get(record_id)
            form = self.service.registry.form(view.form_id)
            answer = QMessageBox.question(
                self,
                self.tr("移入回收站"),
                self.tr("要把{0}“{1}”移入回收站吗？\n之后可以在“回收站”中恢复。").format(
                    form.title, view.title
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            self.service.delete(record_id)
        except Exception as exc:
            show_error(self, exc, self.tr("删除失败"))
            return
        self.record_changed(record_id, view.form_id)
        self.statusBar().showMessage(self.tr("已把“{0}”移入回收站").format(view.title), 8000)

    def restore_record(self, record_id: str) -> None:
        try:
            view = self.service.restore(record_id)
        except Exception as exc:
            show_error(self, exc, self.tr("恢复失败"))
            return
        self.record_changed(record_id, view.form_id)
        form = self.service.registry.form(view.form_id)
        self.statusBar().showMessage(self.tr("已恢复{0}“{1}”").format(form.title, view.title), 8000)

    # ---- settings and restore -----------------------------------------------------------
    def _settings_saved(self) -> None:
        self._update_title()
        if is_county(load_settings(self.ctx)) != self.county:
            # 本机用途 changed: the other set of modules, staying on 设置
            self._build_pages()
            self.show_module("设置")
            self.statusBar().showMessage(
                self.tr("设置已保存，已切换为“{0}”的功能").format(
                    self.tr("县级汇总") if self.county else self.tr("乡镇填报")
                ),
                8000,
            )
            return
        if self.dashboard is not None:
            self.dashboard.refresh()
        self.statusBar().showMessage(self.tr("设置已保存"), 5000)

    def _restore_started(self) -> None:
        # nothing may read the database while the worker replaces the file
        self.nav.setEnabled(False)

    def _restore_failed(self) -> None:
        self.nav.setEnabled(True)

    def _backup_restored(self, before: str) -> None:
        logging.getLogger(__name__).info("恢复之前的数据已备份到 %s", before)
        self.reopen()
        self.nav.setEnabled(True)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("恢复完成"),
            # the folder is listed in 设置 → 数据与备份; the log has its path
            self.tr("已从备份恢复数据。\n恢复之前的数据也已备份，可在“设置—数据与备份”中找到。"),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def reopen(self) -> None:
        """Open the database file afresh (after a restore) and rebuild every page."""
        row = self.nav.currentRow()
        db_path = self.ctx.db_path
        self.ctx.close()
        try:
            # a backup from an older version is migrated here, after its own backup
            self.ctx = open_context(db_path, auto_backup=False)
        except Exception as exc:
            show_error(self, exc, self.tr("无法重新打开数据库"))
            self.close()
            return
        self.service = RecordService(self.ctx)
        self._build_pages()
        self.nav.setCurrentRow(row)
        self.stack.setCurrentIndex(row)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.settings_page.busy:
            self.statusBar().showMessage(self.tr("正在备份或恢复，请等它完成后再关闭。"), 8000)
            event.ignore()
            return
        if self.ledger_page is not None and self.ledger_page.busy:
            # the export writes to a temporary file; closing now would abandon it
            self.statusBar().showMessage(self.tr("正在导出台账，请等它完成或取消后再关闭。"), 8000)
            event.ignore()
            return
        if self.receive_page is not None and self.receive_page.busy:
            # a package is merged in one transaction; closing now would abandon the rest
            self.statusBar().showMessage(
                self.tr("正在接收报送包，请等它完成或取消后再关闭。"), 8000
            )
            event.ignore()
            return
        if self.report_page is not None and self.report_page.busy:
            self.statusBar().showMessage(self.tr("正在生成报表，请等它完成或取消后再关闭。"), 8000)
            event.ignore()
            return
        if self.report_page is not None and not self.report_page.confirm_leave():
            event.ignore()  # the annual report's text is not saved yet
            return
        super().closeEvent(event)
        self.ctx.close()
