"""Immutable objects built from the files in ``forms/``."""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The lines of work a form belongs to (form files' line_of_work), in the order the
# 台账导出 page groups ledgers by.
LINES_OF_WORK = ("生态环境巡查", "宣传", "整改", "信息公开", "监管对象", "其他工作")

FIELD_TYPES: dict[str, str] = {
    "text": "文本",
    "multiline": "多行文本",
    "integer": "整数",
    "decimal": "小数",
    "date": "日期",
    "datetime": "日期时间",
    "boolean": "是/否",
    "choice": "单选",
    "multi_choice": "多选",
    "site": "监管对象",
    "person": "人员姓名",
    "photos": "照片",
    "repeat": "重复组",
    "record": "关联记录",
}


@dataclass(frozen=True)
class Condition:
    """``show_if``: the field is shown when another field equals a value (or one of several)."""

    field: str
    values: tuple[Any, ...] = ()
    filled: bool | None = None  # ``filled: true`` holds when the field has any value

    def holds(self, values: Mapping[str, Any]) -> bool:
        current = values.get(self.field)
        if self.filled is not None:
            has_value = not (current is None or current == "" or current == [] or current == {})
            return has_value == self.filled
        if isinstance(current, list):
            return any(v in self.values for v in current)
        return current in self.values


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: str | None = None
    choices: tuple[str, ...] = ()
    # mappings and list defaults take no part in the hash, so that these frozen specs
    # can be set members and dict keys like any value object
    choice_synonyms: Mapping[str, str] = field(default_factory=dict, hash=False)  # synonym -> label
    choices_from: str | None = None
    default: Any = field(default=None, hash=False)
    help: str = ""
    show_if: Condition | None = None
    readonly: bool = False
    computed: Mapping[str, Any] | None = field(default=None, hash=False)
    decimals: int | None = None
    unit: str = ""
    site_types: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()  # children of a repeat group
    section: str = ""
    # default that depends on another field: {"field": key, "map": {value: default}}
    default_from: Mapping[str, Any] | None = field(default=None, hash=False)
    generate: str | None = None  # number pattern for empty values, e.g. "ZG{year}-{seq:03d}"
    not_before: str | None = None  # a date field this date may not precede
    form: str | None = None  # target form of a "record" link

    @property
    def is_repeat(self) -> bool:
        return self.type == "repeat"

    def child(self, key: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class RuleSpec:
    """A rule across fields: when ``when`` holds, ``require`` must be filled and
    ``require_values`` must hold; otherwise ``message`` is shown at ``field``."""

    when: Condition
    field: str
    message: str
    require: tuple[str, ...] = ()
    require_values: tuple[tuple[str, tuple[Any, ...]], ...] = ()


@dataclass(frozen=True)
class DeadlineStateSpec:
    """A record is 逾期 (overdue) by ``domain.overdue.is_overdue`` over its ``due`` and
    ``done`` dates, and 临期 (due soon) when not done and due within ``soon_days``."""

    due: str
    done: str
    soon_days: int = 7


@dataclass(frozen=True)
class PatrolSpec:
    """Which records count as patrols of which site types (used by the site picker and
    by the patrol-requirement figures): records whose ``type_field`` holds a key of
    ``site_types`` count for sites of those types."""

    type_field: str
    site_field: str
    site_types: tuple[tuple[str, tuple[str, ...]], ...]

    def site_types_for(self, type_label: Any) -> tuple[str, ...]:
        return next((types for label, types in self.site_types if label == type_label), ())


@dataclass(frozen=True)
class ActionSpec:
    """A button on a record that starts a linked record of another form, pre-filled:
    e.g. 生成整改任务 from an inspection that found a problem."""

    id: str
    label: str
    target: str  # form id of the new record
    show_if: Condition | None = None
    values: tuple[tuple[str, Any], ...] = ()  # fixed values of the new record
    copy: tuple[tuple[str, str], ...] = ()  # (target key, source key)


@dataclass(frozen=True)
class SectionSpec:
    title: str
    fields: tuple[FieldSpec, ...]
    show_if: Condition | None = None


# Per form: its fields in order and {id(field spec): its section}, computed once. Kept
# outside the frozen FormSpec (whose __dict__ the loader copies into new specs) and
# dropped with the form. Rebuilding them on every call (and comparing frozen specs
# field by field to find a section) made up most of a 10,000-row import.
_FORM_CACHES: dict[int, tuple[tuple[FieldSpec, ...], dict[int, SectionSpec]]] = {}


def _form_cache(form: FormSpec) -> tuple[tuple[FieldSpec, ...], dict[int, SectionSpec]]:
    cached = _FORM_CACHES.get(id(form))
    if cached is None:
        fields = tuple(f for s in form.sections for f in s.fields)
        cached = (fields, {id(f): s for s in form.sections for f in s.fields})
        _FORM_CACHES[id(form)] = cached
        weakref.finalize(form, _FORM_CACHES.pop, id(form), None)
    return cached


@dataclass(frozen=True)
class FormSpec:
    id: str
    title: str
    version: int
    sections: tuple[SectionSpec, ...]
    title_field: str
    date_field: str | None = None
    site_field: str | None = None
    status_field: str | None = None
    list_columns: tuple[str, ...] = ()
    path: Path | None = None
    title_fields: tuple[str, ...] = ()  # all parts of the title; title_field is the first
    rules: tuple[RuleSpec, ...] = ()
    patrol: PatrolSpec | None = None
    actions: tuple[ActionSpec, ...] = ()
    not_copied: tuple[str, ...] = ()  # fields 复制上一条 leaves out (e.g. a task's lifecycle)
    deadline_state: DeadlineStateSpec | None = None
    list_filters: tuple[str, ...] = ()  # fields the list offers as drop-downs
    search_hint: str = ""  # what the list's search box suggests (see search_words())
    row_style: tuple[tuple[str, str], ...] = ()  # (state, named style) for list rows
    line_of_work: str = "其他工作"  # one of LINES_OF_WORK: where its ledgers are grouped

    def search_words(self) -> str:
        """What to type in the list's search box: the form's ``search_hint``, else the
        labels of the fields that make up a record's title."""
        if self.search_hint:
            return self.search_hint
        keys = self.title_fields or (self.title_field,)
        return "、".join(self.field(k).label for k in keys if self.has_field(k))

    def action(self, action_id: str) -> ActionSpec:
        for action in self.actions:
            if action.id == action_id:
                return action
        raise KeyError(action_id)

    def link_field(self, target_form: str) -> FieldSpec | None:
        """The record-link field of this form that points at ``target_form``."""
        return next((f for f in self.fields if f.type == "record" and f.form == target_form), None)

    def allowed_site_types(self, spec: FieldSpec, values: Mapping[str, Any]) -> tuple[str, ...]:
        """Site types a site field accepts given the other values (patrol mapping first)."""
        if self.patrol is not None and spec.key == self.patrol.site_field:
            mapped = self.patrol.site_types_for(values.get(self.patrol.type_field))
            if mapped:
                return mapped
        return spec.site_types

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return _form_cache(self)[0]

    def field(self, key: str) -> FieldSpec:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    def has_field(self, key: str) -> bool:
        return any(f.key == key for f in self.fields)

    def is_visible(self, spec: FieldSpec, values: Mapping[str, Any]) -> bool:
        """A field is visible when its own and its section's ``show_if`` hold."""
        # by identity (see _form_cache); an equal spec from elsewhere by comparison
        section = _form_cache(self)[1].get(id(spec))
        if section is None:
            section = next((s for s in self.sections if spec in s.fields), None)
        if section is not None and section.show_if and not section.show_if.holds(values):
            return False
        return not (spec.show_if and not spec.show_if.holds(values))


@dataclass(frozen=True)
class LedgerColumn:
    field: str  # a field key of the source form, or "site_key.field" for a field of the site
    label: str
    width: float = 12
    group: str = ""  # upper header cell shared by neighbouring columns
    # the column starts a new printed part: the ledger prints its columns in parts one
    # page wide each, 序号 and the natural-key columns repeated on every part
    new_page: bool = False
    synonyms: tuple[str, ...] = ()
    # On import, free text in this choice column that describes a problem is read as
    # ``problem_choice`` and the text itself kept in ``detail_field`` (a text field).
    detail_field: str = ""
    problem_choice: str = ""
    total: bool = False  # summed in the 合计 row under the exported table
    # A field of the record's site shown when the record leaves this column empty: a
    # patrol records the site's attribute (保护区级别, 河长) only when it differs.
    from_site: str = ""


# field types a ledger column may total (``total: true``)
TOTAL_TYPES = frozenset({"integer", "decimal"})


@dataclass(frozen=True)
class LedgerSpec:
    id: str
    title: str
    form: str
    columns: tuple[LedgerColumn, ...]
    natural_key: tuple[str, ...]
    filter: Mapping[str, tuple[Any, ...]] = field(default_factory=dict, hash=False)
    date_field: str | None = None
    version: int = 1
    path: Path | None = None


@dataclass
class FormRegistry:
    forms: dict[str, FormSpec]
    ledgers: dict[str, LedgerSpec]
    lists: dict[str, tuple[str, ...]]

    def form(self, form_id: str) -> FormSpec:
        from gongkai_desktop.domain.errors import UnknownFormError

        try:
            return self.forms[form_id]
        except KeyError:
            raise UnknownFormError(form_id, sorted(self.forms)) from None

    def ledger(self, ledger_id: str) -> LedgerSpec:
        from gongkai_desktop.domain.errors import GongkaiError

        try:
            return self.ledgers[ledger_id]
        except KeyError:
            known = "、".join(sorted(self.ledgers))
            raise GongkaiError(f"未知的台账“{ledger_id}”。可用的台账：{known}") from None

    def __iter__(self) -> Iterator[FormSpec]:
        return iter(self.forms.values())


def computed_refs(computed: Mapping[str, Any]) -> list[str]:
    """The field keys a ``computed:`` declaration reads (for the loader's checks)."""
    refs: list[str] = []
    for kind, arg in computed.items():
        if kind in ("sum", "first_of"):
            refs += list(arg)
        elif kind == "count":
            refs.append(arg)
        elif kind == "workdays_after":
            refs.append(arg["from"])
        elif kind == "reply_deadline":
            refs += [
                arg[k] for k in ("received", "corrected", "extended", "consultations") if k in arg
            ]
        elif kind == "on_time":
            refs += [arg["date"], arg["due"]]
        elif kind == "overdue":
            refs += [arg["due"], arg["done"]]
    return refs
