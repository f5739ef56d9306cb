"""The field editors: which editor widget edits a field of each type.

``create_editor(spec)`` is what the record editor (and anything else showing a field)
calls. The editors live in ``widgets`` (the plain types) and ``photo`` (photos), both
built on ``base`` only; this registry is the one place that knows them all. A repeat
group's cells are editors too, so the repeat editor is handed ``create_cell_editor``
rather than importing a registry back.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.ui.fields.base import (
    CellEditorFactory,
    FieldEditor,
    RecordSource,
    SiteSource,
    label_html,
    none_if_empty,
)
from gongkai_desktop.ui.fields.photo import PhotosCellEditor, PhotosEditor
from gongkai_desktop.ui.fields.widgets import (
    BooleanEditor,
    ChoiceEditor,
    DateEditor,
    MultiChoiceEditor,
    MultilineEditor,
    NumberEditor,
    ReadOnlyEditor,
    RecordLinkEditor,
    RepeatEditor,
    SiteEditor,
    TextEditor,
)

EDITOR_TYPES: dict[str, type[FieldEditor]] = {
    "text": TextEditor,
    "person": TextEditor,
    "multiline": MultilineEditor,
    "integer": NumberEditor,
    "decimal": NumberEditor,
    "date": DateEditor,
    "datetime": DateEditor,
    "boolean": BooleanEditor,
    "choice": ChoiceEditor,
    "multi_choice": MultiChoiceEditor,
    "site": SiteEditor,
    "repeat": RepeatEditor,
    "record": RecordLinkEditor,
    "photos": PhotosEditor,
}

# Editors for a repeat-group table cell where the full editor does not fit in a row
# (photos: a "N张" button that opens the photo strip in a dialog).
CELL_EDITOR_TYPES: dict[str, type[FieldEditor]] = {
    "photos": PhotosCellEditor,
}


def create_editor(
    spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
) -> FieldEditor:
    """The editor widget for ``spec``; a new field type needs an entry in EDITOR_TYPES."""
    if spec.readonly and spec.type != "record":  # a link is always read-only, and shown so
        return ReadOnlyEditor(spec, sites, parent)
    editor_type = EDITOR_TYPES[spec.type]
    if issubclass(editor_type, RepeatEditor):  # its cells are editors of this registry
        return editor_type(spec, sites, parent, cell_editor=create_cell_editor)
    return editor_type(spec, sites, parent)


def create_cell_editor(spec: FieldSpec, sites: SiteSource | None = None) -> FieldEditor:
    """The editor of a child field inside a repeat-group table cell."""
    compact = CELL_EDITOR_TYPES.get(spec.type)
    if compact is not None and not spec.readonly:
        return compact(spec, sites)
    return create_editor(spec, sites)


__all__ = [
    "CELL_EDITOR_TYPES",
    "EDITOR_TYPES",
    "CellEditorFactory",
    "FieldEditor",
    "RecordSource",
    "SiteSource",
    "create_cell_editor",
    "create_editor",
    "label_html",
    "none_if_empty",
]
