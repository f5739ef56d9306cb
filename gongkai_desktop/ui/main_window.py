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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop import APP_NAME
from gongkai_desktop.domain.errors import DatabaseDamagedError
from gongkai_desktop.ui.damage import DamagedDatabaseBox, SalvageDialog
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.icons import icon, module_icon
from gongkai_desktop.ui.scrolling import page_scroll
from gongkai_desktop.ui.style import HINT_STYLE, NOTE_STYLE, emphasise
from gongkai_desktop.ui.worker import Task, start_task

if TYPE_CHECKING:
    # Imported when used: the window is shown before the database is opened (and before
    # SQLAlchemy is imported), and a page's module when the page is first opened.
    from gongkai_desktop.services.context import AppContext
    from gongkai_desktop.services.maintenance.damage import DamageRestore, SalvagedRecord
    from gongkai_desktop.services.records.service import RecordService
    from gongkai_desktop.ui.county.conflicts_page import ConflictsPage
    from gongkai_desktop.ui.county.receive_page import ReceivePage
    from gongkai_desktop.ui.county.status_page import StatusPage
    from gongkai_desktop.ui.county.townships_page import TownshipsPage
    from gongkai_desktop.ui.dashboard import DashboardPage
    from gongkai_desktop.ui.ledgers.ledger_page import LedgerPage
    from gongkai_desktop.ui.records.editor import RecordEditor
    from gongkai_desktop.ui.records.record_list import RecordListPage
    from gongkai_desktop.ui.reports.page import ReportPage
    from gongkai_desktop.ui.settings_page import SettingsPage


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


# the toolbar's 新建 actions: (action key, text, form id), shown on every page
QUICK_NEW = (
    ("new_inspection", "新建巡查", "inspection"),
    ("new_outreach", "新建宣传活动", "outreach_event"),
    ("new_task", "新建整改任务", "rectification_task"),
)


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
    """Pages are built when first opened (a start builds only the first); the 工作台's
    figures are read on a worker, and the daily backup runs on one after the window is
    shown (``start_daily_backup``)."""

    ctx: AppContext
    service: RecordService

    def __init__(self, ctx: AppContext | None = None, parent: QWidget | None = None) -> None:
        """With ``ctx``, the pages at once; without, an empty window that says the
        database is being opened, until ``attach`` (the app's start: shown first)."""
        super().__init__(parent)
        self.attached = False
        self.ledger_page: LedgerPage | None = None
        self.report_page: ReportPage | None = None
        self.list_pages: dict[str, RecordListPage] = {}
        self.editor: RecordEditor | None = None
        self.dashboard: DashboardPage | None = None
        self.status_page: StatusPage | None = None
        self.receive_page: ReceivePage | None = None
        self.conflicts_page: ConflictsPage | None = None
        self.townships_page: TownshipsPage | None = None
        self._settings_page: SettingsPage | None = None
        self._recycle_bin: RecordListPage | None = None
        self.county = False
        self.modules: tuple[Module, ...] = MODULES
        self._built: dict[int, QWidget] = {}  # row -> its page (unwrapped), once opened
        self._missing: list[str] = []
        self._backup_task: Task | None = None
        self._check_task: Task | None = None
        self._restore_task: Task | None = None
        self.damage_box: DamagedDatabaseBox | None = None
        self.salvage_dialog: SalvageDialog | None = None
        self.salvage_result_box: QMessageBox | None = None
        self.tamper_box: QMessageBox | None = None
        self._close_after_backup = False
        self.setObjectName("MainWindow")

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setStyleSheet(
            "QListWidget#navigation { font-size: 11pt; padding: 6px 0; outline: 0; }"
            " QListWidget#navigation::item { padding: 7px 12px; }"
        )
        self.nav.setIconSize(QSize(18, 18))
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 6, 0)
        row.setSpacing(6)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # no database path in the status bar: where the files lie is in 设置 → 数据与备份
        self.close_dialog: QWidget | None = None  # 月末报送 opened from the toolbar
        self._build_toolbar()
        self.toolbar.setEnabled(False)  # until a database is open in the window
        self.nav.currentRowChanged.connect(self._show_page)
        self.resize(1180, 760)
        if ctx is not None:
            self.attach(ctx)
        else:
            opening = QLabel(_tr("正在打开数据库…"))
            opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
            opening.setStyleSheet(HINT_STYLE)
            self.stack.addWidget(opening)
            self.setWindowTitle(APP_NAME)

    def attach(self, ctx: AppContext) -> None:
        """Show the pages of an opened database."""
        from gongkai_desktop.services.records.service import RecordService

        self.ctx = ctx
        self.service = RecordService(ctx)
        self._build_pages()
        self.attached = True
        self.toolbar.setEnabled(True)

    # ---- pages --------------------------------------------------------------------------
    def _build_pages(self) -> None:
        """(Re)build the navigation from ``self.ctx`` (the township's modules, or the
        county's when 设置 says 县级汇总) and the first page; the others wait in the
        stack as empty places until they are first opened."""
        from gongkai_desktop.services.settings import is_county, load_settings

        while (page := self.stack.widget(0)) is not None:
            self.stack.removeWidget(page)
            page.deleteLater()
        if self.dashboard is not None:
            self.dashboard.shut_down()  # it may be reading the database being replaced
        self.list_pages = {}
        self._built = {}
        self.dashboard = self.status_page = self.receive_page = None
        self.conflicts_page = self.townships_page = None
        self.ledger_page, self.report_page = None, None
        self._settings_page = self._recycle_bin = None
        self.county = is_county(load_settings(self.ctx))
        self.modules = modules_for(self.county)
        blocked = self.nav.blockSignals(True)  # no page switch while the list is refilled
        self.nav.clear()
        for module in self.modules:
            self.nav.addItem(QListWidgetItem(module_icon(module.title), _tr(module.title)))
        self.nav.blockSignals(blocked)
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 40)
        forms = self.service.registry.forms
        self._missing = [_tr(m.title) for m in MODULES if m.kind == "forms" and not any(
            f in forms for f in m.form_ids
        )]  # fmt: skip
        for _module in self.modules:
            self.stack.addWidget(QWidget())  # a place, replaced when the page is opened
        blocked = self.nav.blockSignals(True)
        self.nav.setCurrentRow(0)
        self.nav.blockSignals(blocked)
        self._ensure_page(0)
        self.stack.setCurrentIndex(0)
        self._update_title()
        self._update_toolbar()

    def _ensure_page(self, row: int) -> QWidget:
        """The page of module ``row``, built (and put in the stack) on first use."""
        page = self._built.get(row)
        if page is None:
            page = self._module_page(self.modules[row])
            self._built[row] = page
            place = self.stack.widget(row)
            assert place is not None
            current = self.stack.currentIndex()
            self.stack.insertWidget(row, page_scroll(page))
            self.stack.removeWidget(place)
            place.deleteLater()
            self.stack.setCurrentIndex(current)
        return page

    def page_built(self, row: int) -> bool:
        return row in self._built

    def _row_of_kind(self, kind: str) -> int | None:
        return next((i for i, m in enumerate(self.modules) if m.kind == kind), None)

    @property
    def settings_page(self) -> SettingsPage:
        if self._settings_page is None:
            row = self._row_of_kind("settings")
            if row is not None:
                self._ensure_page(row)
        assert self._settings_page is not None
        return self._settings_page

    @property
    def recycle_bin(self) -> RecordListPage:
        if self._recycle_bin is None:
            row = self._row_of_kind("recycle_bin")
            if row is not None:
                self._ensure_page(row)
        assert self._recycle_bin is not None
        return self._recycle_bin

    def list_page(self, form_id: str) -> RecordListPage | None:
        """The list of a form, built if its module was not opened yet."""
        if form_id not in self.list_pages:
            row = next((i for i, m in enumerate(self.modules) if form_id in m.form_ids), None)
            if row is not None:
                self._ensure_page(row)
        return self.list_pages.get(form_id)

    def _module_page(self, module: Module) -> QWidget:
        from gongkai_desktop.ui.records.record_list import RecordListPage

        if module.kind == "dashboard":
            from gongkai_desktop.ui.dashboard import DashboardPage

            self.dashboard = DashboardPage(self.service, self._missing, background=True)
            self.dashboard.record_open_requested.connect(self.open_record)
            return self.dashboard
        if module.kind == "county_status":
            from gongkai_desktop.ui.county.status_page import StatusPage

            self.status_page = StatusPage(self.ctx)
            return self.status_page
        if module.kind == "county_receive":
            from gongkai_desktop.ui.county.receive_page import ReceivePage

            self.receive_page = ReceivePage(self.ctx)
            self.receive_page.received.connect(self.refresh_lists)
            return self.receive_page
        if module.kind == "county_conflicts":
            from gongkai_desktop.ui.county.conflicts_page import ConflictsPage

            self.conflicts_page = ConflictsPage(self.ctx)
            self.conflicts_page.resolved.connect(self.refresh_lists)
            return self.conflicts_page
        if module.kind == "county_townships":
            from gongkai_desktop.ui.county.townships_page import TownshipsPage

            self.townships_page = TownshipsPage(self.ctx)
            return self.townships_page
        if module.kind == "settings":
            from gongkai_desktop.ui.settings_page import SettingsPage

            settings = SettingsPage(self.ctx)
            settings.settings_saved.connect(self._settings_saved)
            settings.restore_started.connect(self._restore_started)
            settings.restore_failed.connect(self._restore_failed)
            settings.backup_restored.connect(self._backup_restored)
            self._settings_page = settings
            return settings
        if module.kind == "recycle_bin":
            self._recycle_bin = RecordListPage(self.service, None, deleted=True)
            self._recycle_bin.restore_requested.connect(self.restore_record)
            return self._recycle_bin
        if module.kind == "ledgers":
            from gongkai_desktop.ui.ledgers.ledger_page import LedgerPage

            ledger_page = LedgerPage(self.ctx)
            ledger_page.records_imported.connect(self.refresh_lists)
            self.ledger_page = ledger_page
            return ledger_page
        if module.kind == "reports":
            from gongkai_desktop.ui.reports.page import ReportPage

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
        from gongkai_desktop.ui.records.record_list import RecordListPage

        page = RecordListPage(self.service, form_id)
        page.new_requested.connect(lambda: self.open_editor(form_id))
        page.open_requested.connect(lambda record_id: self.open_editor(form_id, record_id))
        page.delete_requested.connect(self.delete_record)
        self.list_pages[form_id] = page
        return page

    def _show_page(self, row: int) -> None:
        fresh = row not in self._built
        self._ensure_page(row)
        self.stack.setCurrentIndex(row)
        if fresh:
            return  # just built from the database
        # these pages show what may have changed elsewhere (backups, counts)
        if self.dashboard is not None and self.current_page() is self.dashboard:
            self.dashboard.refresh()
        elif self.current_page() is self._settings_page:
            self.settings_page.refresh_backups()

    def current_page(self) -> QWidget | None:
        return self._built.get(self.stack.currentIndex())

    def show_module(self, title: str) -> QWidget:
        """Switch to a module by its (untranslated) title; returns its page."""
        row = next(i for i, m in enumerate(self.modules) if m.title == title)
        self.nav.setCurrentRow(row)
        return self._ensure_page(row)

    def _update_title(self) -> None:
        from gongkai_desktop.services.settings import load_settings

        unit = load_settings(self.ctx)["unit_name"] or self.tr("未设置单位名称")
        self.setWindowTitle(self.tr("{0} — {1}").format(APP_NAME, unit))

    def refresh_lists(self) -> None:
        """After records changed: the pages already built read again (the others will
        read when first opened)."""
        for page in self.list_pages.values():
            page.refresh()
        if self._recycle_bin is not None:
            self._recycle_bin.refresh()
        if self.dashboard is not None:
            self.dashboard.refresh()

    # ---- toolbar -----------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        """快捷操作 on every page: the three 新建, 导出上月台账, 月末报送 (township only) and
        打印 (Ctrl+P) of what the page shows."""
        bar = QToolBar(self.tr("快捷操作"), self)
        bar.setObjectName("quick_actions")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setIconSize(QSize(18, 18))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.quick_actions: dict[str, QAction] = {}
        for key, text, form_id in QUICK_NEW:
            action = QAction(icon("document-plus"), _tr(text), self)
            action.triggered.connect(lambda _checked=False, f=form_id: self.open_editor(f))
            self.quick_actions[key] = action
            bar.addAction(action)
        bar.addSeparator()
        export = QAction(icon("arrow-up-tray"), self.tr("导出上月台账"), self)
        export.setToolTip(self.tr("把上个月的全部台账导出到一个文件夹（如U盘）"))
        export.triggered.connect(self.export_last_month)
        self.quick_actions["export_last_month"] = export
        bar.addAction(export)
        close = QAction(icon("paper-airplane"), self.tr("月末报送"), self)
        close.setToolTip(self.tr("检查本月数据，把全部台账、月度小结和报送包写入U盘并校验"))
        close.triggered.connect(self.open_close_dialog)
        self.quick_actions["close_month"] = close
        bar.addAction(close)
        bar.addSeparator()
        print_action = QAction(icon("printer"), self.tr("打印"), self)
        print_action.setShortcut(QKeySequence("Ctrl+P"))
        print_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        print_action.setToolTip(self.tr("打印本页的列表、台账或月度小结（Ctrl+P）"))
        print_action.triggered.connect(self.print_current)
        self.quick_actions["print"] = print_action
        bar.addAction(print_action)
        self.toolbar = bar
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _update_toolbar(self) -> None:
        forms = self.service.registry.forms
        for key, _text, form_id in QUICK_NEW:
            self.quick_actions[key].setEnabled(form_id in forms)
        # a county database receives townships' packages, it never submits one
        self.quick_actions["close_month"].setVisible(not self.county)

    def export_last_month(self) -> None:
        """导出上月台账: the 台账导出 page, set to last month, asking for the folder."""
        page = self.show_module("台账导出")
        if page is self.ledger_page and self.ledger_page is not None:
            self.ledger_page.export_last_month()

    def open_close_dialog(self) -> QWidget | None:
        if self.county:
            return None
        from gongkai_desktop.ui.submission.close_dialog import CloseDialog

        dialog = CloseDialog(self.ctx, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: setattr(self, "close_dialog", None))
        self.close_dialog = dialog
        dialog.open()
        return dialog

    def print_current(self) -> None:
        """Ctrl+P: print what the shown page holds (a list, a ledger, the 月度小结)."""
        page = self.current_page()
        if isinstance(page, QTabWidget):
            page = page.currentWidget()
        # the pages' classes are compared by identity: their modules load when opened
        lists = [*self.list_pages.values(), self._recycle_bin]
        listed = next((p for p in lists if p is not None and p is page), None)
        if listed is not None and listed.can_print:
            listed.print_list()
        elif self.ledger_page is not None and page is self.ledger_page:
            self.ledger_page.print_selected()
        elif (
            self.report_page is not None and page is self.report_page and self.report_page.can_print
        ):
            if not self.report_page.print_current():
                self.statusBar().showMessage(self.tr("正在汇总，请稍候再打印"), 5000)
        else:
            self.statusBar().showMessage(self.tr("本页没有可打印的内容"), 5000)

    def record_changed(self, record_id: str, form_id: str) -> None:
        """One record was saved, deleted or restored: its row changes in place in each
        list (a small query or two per list) instead of every list being read again."""
        for page in self.list_pages.values():
            page.record_changed(record_id, form_id)
        if self._recycle_bin is not None:  # not opened yet: it reads when it is
            self._recycle_bin.record_changed(record_id, form_id)
        if self.dashboard is not None:
            self.dashboard.refresh()

    # ---- record actions -----------------------------------------------------------------
    def open_editor(self, form_id: str, record_id: str | None = None) -> RecordEditor | None:
        from gongkai_desktop.ui.records.editor import RecordEditor

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
        from gongkai_desktop.services.settings import is_county, load_settings

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
            from gongkai_desktop.services.records.service import RecordService
            from gongkai_desktop.services.startup import open_context

            # a backup from an older version is migrated here, after its own backup
            self.ctx = open_context(db_path, auto_backup=False)
        except Exception as exc:
            show_error(self, exc, self.tr("无法重新打开数据库"))
            self.close()
            return
        self.service = RecordService(self.ctx)
        self._build_pages()
        self.nav.setCurrentRow(row)  # builds that page

    def bring_forward(self) -> None:
        """A second start on this database brings this window forward instead: out of
        the taskbar if minimised (a maximised window stays maximised), raised, focused."""
        if self.isMinimized():
            self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()
        self.statusBar().showMessage(
            self.tr("该数据库已在本窗口中打开，没有再开第二个窗口。"), 8000
        )

    # ---- a damaged database -------------------------------------------------------------
    def start_quick_check(self, then: Callable[[], None] | None = None) -> None:
        """``PRAGMA quick_check`` on a worker once the window is up; ``then`` (the daily
        backup) runs only when it passed. Damage is shown with 用最近的备份恢复."""
        from gongkai_desktop.services.maintenance.damage import quick_check
        from gongkai_desktop.services.maintenance.tamper import (
            verify_audit_chain,
            verify_record_checksums,
        )

        ctx = self.ctx

        def work() -> list[str]:
            quick_check(ctx.db_path)
            # tamper evidence too: a chain or a record changed outside the app
            return verify_audit_chain(ctx) + verify_record_checksums(ctx)

        def passed(problems: list[str]) -> None:
            self._check_task = None
            if problems:
                self.show_tampering(problems)
            if then is not None:
                then()

        def failed(exc: BaseException) -> None:
            self._check_task = None
            if isinstance(exc, DatabaseDamagedError):
                self.offer_restore(exc)
            else:
                logging.getLogger(__name__).error("quick_check failed", exc_info=exc)

        self._check_task = start_task(work, passed, failed)

    def show_tampering(self, problems: list[str]) -> QMessageBox:
        """What the check after start found changed outside the app (the log has it too);
        a non-modal warning: the clerk can work on, and 检查 says it again next time."""
        shown = problems[:10] + ([f"……共 {len(problems)} 项"] if len(problems) > 10 else [])
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("修改记录或记录内容被改动"),
            self.tr("启动后的检查发现数据库在本软件之外被改动过（已写入日志，未作任何修复）：\n\n")
            + "\n".join(shown)
            + self.tr(
                "\n\n请联系上级或技术人员核实；如需回到改动前的状态，可在“设置”中从备份恢复。"
            ),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.tamper_box = box
        self.statusBar().showMessage(self.tr("启动检查：修改记录或记录内容被改动，详见提示"))
        box.open()
        return box

    def offer_restore(self, exc: DatabaseDamagedError) -> DamagedDatabaseBox:
        """The damage message (non-modal) with 用最近的备份恢复 when a verified backup
        exists. Closing it without restoring a database that never opened ends the app."""
        from gongkai_desktop.services.maintenance.damage import complete

        exc = complete(exc)
        box = DamagedDatabaseBox(self, exc)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        db_path = exc.db_path
        if db_path is not None:
            box.restore_requested.connect(lambda: self.restore_damaged(db_path))
        box.rejected.connect(self._damage_box_closed)
        self.damage_box = box
        box.open()
        return box

    def _damage_box_closed(self) -> None:
        self.damage_box = None
        if not self.attached and self._restore_task is None:
            self.close()  # nothing to show without a database

    def restore_damaged(self, db_path: Path) -> None:
        """The one-step restore on a worker: damaged file aside, newest verified backup
        in place, then what was lost (``SalvageDialog``)."""
        from gongkai_desktop.services.maintenance.damage import restore_latest

        self.damage_box = None
        self.nav.setEnabled(False)  # nothing may read the file being replaced
        self.toolbar.setEnabled(False)
        if self.dashboard is not None:
            self.dashboard.shut_down()
        if self.attached:
            self.ctx.close()
        self.statusBar().showMessage(self.tr("正在用最近的备份恢复数据库…"))
        self._restore_task = start_task(
            lambda: restore_latest(db_path),
            lambda outcome: self._damage_restored(db_path, outcome),
            self._damage_restore_failed,
        )

    def _damage_restore_failed(self, exc: BaseException) -> None:
        self._restore_task = None
        self.statusBar().showMessage(self.tr("恢复失败"), 15000)
        show_error(self, exc, self.tr("恢复失败"))
        if not self.attached:
            self.close()

    def _damage_restored(self, db_path: Path, outcome: DamageRestore) -> None:
        from gongkai_desktop.services.records.service import RecordService
        from gongkai_desktop.services.startup import open_context

        self._restore_task = None
        try:
            ctx = open_context(db_path, auto_backup=False)
        except Exception as exc:
            show_error(self, exc, self.tr("无法重新打开数据库"))
            self.close()
            return
        if self.attached:
            self.ctx = ctx
            self.service = RecordService(ctx)
            self._build_pages()
        else:
            self.attach(ctx)
        self.nav.setEnabled(True)
        self.toolbar.setEnabled(True)
        self.statusBar().showMessage(self.tr("已用最近的备份恢复数据库"), 15000)
        registry = ctx.registry
        dialog = SalvageDialog(
            self,
            outcome,
            {f.id: f.title for f in registry},
            {f.id: {s.key: s.label for s in f.fields} for f in registry},
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._import_salvaged(dialog.chosen()))
        self.salvage_dialog = dialog
        dialog.open()

    def _import_salvaged(self, records: list[SalvagedRecord]) -> None:
        from gongkai_desktop.services.maintenance.salvage import import_salvaged

        self.salvage_dialog = None
        result = import_salvaged(self.ctx, records)
        self.refresh_lists()
        text = self.tr("已添加 {0} 条记录。").format(len(result.added))
        if result.refused:
            text += "\n" + self.tr("未能添加：") + "\n" + "\n".join(result.refused)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("添加记录"),
            text,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.salvage_result_box = box
        box.open()

    # ---- daily backup -------------------------------------------------------------------
    def start_daily_backup(self) -> None:
        """The first start of a day backs the database up, on a worker once the window
        is up (a large database takes seconds to copy). The status bar says it runs and
        how it ended; a failure is shown, never only logged."""
        if self._backup_task is not None:
            return
        self._backup_progress = QProgressBar()
        self._backup_progress.setRange(0, 0)  # busy: the copy reports no steps
        self._backup_progress.setMaximumWidth(120)
        self._backup_progress.setMaximumHeight(14)
        self.statusBar().addPermanentWidget(self._backup_progress)
        self.statusBar().showMessage(self.tr("正在进行今日自动备份…"))
        from gongkai_desktop.services.startup import daily_backup

        ctx = self.ctx
        self._backup_task = start_task(
            lambda: daily_backup(ctx), self._daily_backup_done, self._daily_backup_failed
        )

    @property
    def backing_up(self) -> bool:
        return self._backup_task is not None

    def _daily_backup_ended(self) -> None:
        self._backup_task = None
        self.statusBar().removeWidget(self._backup_progress)
        self._backup_progress.deleteLater()

    def _daily_backup_done(self, note: str | None) -> None:
        self._daily_backup_ended()
        if note:
            self.ctx.opened_notes.append(note)
        self.statusBar().showMessage(note or self.tr("今日已备份过"), 8000)
        if self._close_after_backup:
            self.close()

    def _daily_backup_failed(self, exc: BaseException) -> None:
        self._daily_backup_ended()
        logging.getLogger(__name__).error("daily backup failed", exc_info=exc)
        self.statusBar().showMessage(self.tr("今日自动备份失败"), 15000)
        if self._close_after_backup:
            self.close()
            return
        show_error(self, exc, self.tr("今日自动备份失败"))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._restore_task is not None:
            # the damaged file is being moved aside and the backup copied in: let it end
            self.statusBar().showMessage(self.tr("正在恢复数据库，请等它完成后再关闭。"), 8000)
            event.ignore()
            return
        if self._backup_task is not None:
            # the copy runs on the database being closed: close when it is done
            self._close_after_backup = True
            self.statusBar().showMessage(
                self.tr("正在完成今日自动备份，完成后窗口会自动关闭。"), 15000
            )
            event.ignore()
            return
        if self._settings_page is not None and self._settings_page.busy:
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
        if self.dashboard is not None:
            self.dashboard.shut_down()  # it may be reading the database being closed
        if self.attached:
            self.ctx.close()
