"""The print preview of a printed table (打印当前列表, a ledger's 打印): one object per
page owns the printer and the dialog, asks before a very long print, and paints the
grid through ``render.grid_print`` whenever the preview (or its 打印 button) asks."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from gongkai_desktop.services.documents.print_grid import PrintGrid
from gongkai_desktop.ui.errors import show_error

# Printing more rows than this asks first (a hundred pages or more of paper).
PRINT_CONFIRM_ROWS = 2000


def _tr(text: str) -> str:
    return QCoreApplication.translate("GridPreview", text)


class GridPreview:
    def __init__(self, parent: QWidget) -> None:
        self.parent = parent
        self.grid: PrintGrid | None = None
        self.dialog: QWidget | None = None
        self._printer: Any = None  # the dialog does not own it: it must outlive the dialog

    def open(self, grid: PrintGrid) -> bool:
        """Show the print preview of ``grid``; False if the clerk declined a long print."""
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        rows = len(grid.rows) - grid.repeat_end
        if rows > PRINT_CONFIRM_ROWS:
            answer = QMessageBox.question(
                self.parent,
                _tr("打印"),
                _tr(
                    "要打印的表格有 {0} 行，需要很多页纸。\n仍要打印吗？"
                    "（可先用搜索、日期或筛选缩小范围）"
                ).format(f"{rows:,}"),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        self.grid = grid
        self._printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintPreviewDialog(self._printer, self.parent)
        dialog.setWindowTitle(_tr("打印预览 — {0}").format(grid.title))
        dialog.paintRequested.connect(self._paint_requested)
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.resize(1000, 760)
        self.dialog = dialog
        dialog.open()  # window-modal, without a nested event loop
        return True

    def paint(self, printer: Any) -> int:
        """Paint the grid onto ``printer`` (the preview's, a printer's or a PDF printer);
        returns the page count."""
        from gongkai_desktop.render.grid_print import print_grid

        assert self.grid is not None
        return print_grid(self.grid, printer)

    def _paint_requested(self, printer: Any) -> None:
        try:
            self.paint(printer)
        except Exception as exc:
            show_error(self.parent, exc, _tr("无法生成打印预览"))

    def _closed(self, dialog: QWidget) -> None:
        if dialog is self.dialog:
            self.dialog = None
        dialog.deleteLater()
