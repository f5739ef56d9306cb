"""A scroll area for a whole page: the page fills the visible area and scrolls only when
the window is smaller than the page's minimum size.

QScrollArea's own ``widgetResizable`` gives a page with word-wrapped labels its
*preferred* height (Qt asks the layout's heightForWidth), so such a page scrolls even
where it would fit; here the page is sized from its minimum size instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class PageScrollArea(QScrollArea):
    def __init__(self, page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_scroll")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(False)
        self.setWidget(page)
        page.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.fit_page()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_page()

    def fit_page(self) -> None:
        page = self.widget()
        if page is None:
            return
        need = page.minimumSizeHint().expandedTo(page.minimumSize())
        room = self.maximumViewportSize()  # the viewport without scroll bars
        width, height = room.width(), room.height()
        # a scroll bar in one direction takes room from the other
        if need.height() > height:
            width -= self.verticalScrollBar().sizeHint().width()
        if need.width() > width:
            height -= self.horizontalScrollBar().sizeHint().height()
            if need.height() > height and need.height() <= room.height():
                width -= self.verticalScrollBar().sizeHint().width()
        page.resize(max(width, need.width()), max(height, need.height()))


def page_scroll(page: QWidget) -> PageScrollArea:
    """``page`` inside a PageScrollArea (scroll bars only when needed)."""
    area = PageScrollArea(page)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return area
