"""The 乡镇 drop-down of the county's ledger page: every township, or one. Hidden on a
township's own database, where it stands for "every record"."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.scope import scoped, township_rows
from gongkai_desktop.services.settings import is_county, load_settings


class TownshipChooser(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.county = False  # a county database (read again by reload)
        self.box = QComboBox()
        self.box.setObjectName("township_choice")
        self.box.setMinimumContentsLength(10)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("乡镇：")))
        layout.addWidget(self.box)
        hint = QLabel(self.tr("县级汇总：台账按所选乡镇导出，并加“乡镇”一列"))
        hint.setObjectName("township_choice_hint")
        layout.addWidget(hint)
        layout.addStretch(1)
        self.reload()
        self.box.currentIndexChanged.connect(lambda _index: self.changed.emit())

    def reload(self) -> None:
        """Read the townships again (one may have been added), keeping the choice."""
        county = self.county = is_county(load_settings(self.ctx))
        self.setVisible(county)
        current = self.box.currentData()
        blocked = self.box.blockSignals(True)
        self.box.clear()
        self.box.addItem(self.tr("全部乡镇"), None)
        for code, name in township_rows(self.ctx) if county else []:
            self.box.addItem(name, code)
        index = self.box.findData(current) if current is not None else 0
        self.box.setCurrentIndex(max(index, 0))
        self.box.blockSignals(blocked)

    def codes(self) -> tuple[str, ...] | None:
        """The chosen townships' codes; None: every record (all townships)."""
        code = self.box.currentData()
        return None if code is None else (str(code),)

    def scoped(self) -> AppContext:
        """The context the outputs read: narrowed to the chosen township, or as it is."""
        return scoped(self.ctx, self.codes())
