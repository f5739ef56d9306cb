"""The few colours the UI uses beyond the platform style, declared once."""

from PySide6.QtWidgets import QLabel, QPushButton

REQUIRED_COLOR = "#c0392b"
HINT_STYLE = "color: #6b7280;"
ERROR_STYLE = "color: #c0392b;"
BANNER_STYLE = (
    "background: #fdecea; color: #a4281b; border: 1px solid #f2b8b5;"
    " border-radius: 4px; padding: 6px 10px;"
)
# the one main button of a page (新建): the accent colour, bold
PRIMARY_BUTTON_STYLE = (
    "QPushButton { background: #1f6feb; color: white; font-weight: bold;"
    " border: 1px solid #1a5fcc; border-radius: 4px; padding: 4px 16px; }"
    " QPushButton:hover { background: #2f7df5; }"
    " QPushButton:pressed { background: #1a5fcc; }"
    " QPushButton:disabled { background: #9dbcf0; border-color: #9dbcf0; }"
)
NOTE_STYLE = (
    "background: #eef4fb; color: #1f4e79; border: 1px solid #c7dbf0;"
    " border-radius: 4px; padding: 6px 10px;"
)


def emphasise(label: QLabel, factor: float = 1.0, bold: bool = True) -> None:
    """Make a heading: scale the label's font (point- or pixel-sized) and embolden it."""
    font = label.font()
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    elif font.pixelSize() > 0:
        font.setPixelSize(round(font.pixelSize() * factor))
    font.setBold(bold)
    label.setFont(font)


def make_primary(button: QPushButton) -> None:
    """Mark the page's main button (one per page), as office software does."""
    button.setObjectName(button.objectName() or "primary_button")
    button.setProperty("primary", True)
    button.setStyleSheet(PRIMARY_BUTTON_STYLE)
