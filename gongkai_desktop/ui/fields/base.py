"""What every field editor shares: the ``FieldEditor`` base with its interface, the
sources editors read (sites, linked records), and the helpers the record editor uses on
any field (its label, its emptiness).

The editors of each type (``widgets``, ``photo``) build on this module only; the
registry of field type -> editor is the package's (``ui.fields``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.forms.values import is_empty
from gongkai_desktop.ui.style import HINT_STYLE, REQUIRED_COLOR


class SiteSource(Protocol):
    """What the site editor needs (``RecordService`` provides both)."""

    def site_choices(self, site_types: Sequence[str] = ()) -> list[tuple[str, str, str]]: ...

    def site_names(self, ids: Sequence[str]) -> dict[str, str]: ...


@runtime_checkable
class RecordSource(Protocol):
    """What a record-link field needs to show its record (``RecordService.get``)."""

    def get(self, record_id: str) -> Any: ...  # a RecordView: title, form_id, deleted


def label_html(spec: FieldSpec) -> str:
    """Field label with a red * for required fields."""
    if spec.required:
        return f'{spec.label}<span style="color:{REQUIRED_COLOR}"> *</span>'
    return spec.label


def none_if_empty(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return None if is_empty(value) else value


class FieldEditor(QWidget):
    """Base of the editors: an input row, with the unit (if any) after the input."""

    value_changed = Signal()

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.sites = sites
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)
        if spec.help:
            self.setToolTip(spec.help)

    def _add_main(self, widget: QWidget, stretch: bool = True) -> None:
        self.row.addWidget(widget, 1 if stretch else 0)
        if self.spec.unit:
            unit = QLabel(self.spec.unit)
            unit.setStyleSheet(HINT_STYLE)
            self.row.addWidget(unit)
        if not stretch:
            self.row.addStretch(1)
        widget.setToolTip(self.spec.help)

    # ---- the interface the record editor uses ------------------------------------------
    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def condition_value(self) -> Any:
        """The value as ``show_if`` conditions compare it (choices by label)."""
        return self.value()

    def focus_target(self) -> QWidget:
        """Widget that takes the keyboard focus (label buddy, first error)."""
        return self


class CellEditorFactory(Protocol):
    """Makes the editor of a child field in a repeat-group cell (``ui.fields.create_cell_editor``),
    handed to the repeat editor so that it needs no registry of its own."""

    def __call__(self, spec: FieldSpec, sites: SiteSource | None = None) -> FieldEditor: ...
