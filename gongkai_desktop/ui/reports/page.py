"""The 报表 page: 月度小结, 年度报告, 活动总结, 整改进展 and 信息公开年报, one tab each.

Every tab builds its report from the data of the moment, on the thread pool, and
writes files through the services and ``render/`` (the same code as ``gongkai report``);
the tabs share where the last file was saved.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.ui.reports.activity_tab import ActivityTab
from gongkai_desktop.ui.reports.annual_tab import AnnualTab
from gongkai_desktop.ui.reports.disclosure_tab import DisclosureTab
from gongkai_desktop.ui.reports.export import SaveLocation
from gongkai_desktop.ui.reports.monthly_tab import MonthlyTab
from gongkai_desktop.ui.reports.progress_tab import ProgressTab
from gongkai_desktop.ui.style import emphasise


class ReportPage(QWidget):
    def __init__(
        self, ctx: AppContext, today: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.location = SaveLocation()
        self.monthly = MonthlyTab(ctx, self.location, today)
        self.annual = AnnualTab(ctx, self.location, today)
        self.activity = ActivityTab(ctx, self.location, today)
        self.progress = ProgressTab(ctx, self.location, today)
        self.disclosure = DisclosureTab(ctx, self.location, today)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.monthly, self.tr("月度小结"))
        self.tabs.addTab(self.annual, self.tr("年度报告"))
        self.tabs.addTab(self.activity, self.tr("活动总结"))
        self.tabs.addTab(self.progress, self.tr("整改进展"))
        self.tabs.addTab(self.disclosure, self.tr("信息公开年报"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        heading = QLabel(self.tr("报表"))
        emphasise(heading, 1.3)
        layout.addWidget(heading)
        layout.addWidget(self.tabs, 1)

    @property
    def can_print(self) -> bool:
        """Ctrl+P applies on the 月度小结, the one report printed from the page."""
        return self.tabs.currentWidget() is self.monthly

    def print_current(self) -> bool:
        """The 月度小结's print preview; False while the tab is still summarising."""
        if not self.can_print or self.monthly.busy:
            return False
        self.monthly.open_preview()
        return True

    @property
    def busy(self) -> bool:
        """A report is being written (closing now would abandon it)."""
        tabs = (self.monthly, self.annual, self.activity, self.progress, self.disclosure)
        return any(tab.busy for tab in tabs)

    @property
    def has_unsaved_text(self) -> bool:
        return self.annual.dirty or self.disclosure.dirty

    def confirm_leave(self) -> bool:
        """Every tab with the clerk's unsaved entries asks to save or discard them;
        False if one was cancelled."""
        return self.annual.confirm_leave() and self.disclosure.confirm_leave()


__all__ = ["ReportPage"]
