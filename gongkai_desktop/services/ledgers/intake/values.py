"""Choice cells of an imported sheet, read through the office's mapping profile.

Each distinct spelling of a choice column is looked at once: a label or synonym is read
as it is; a spelling the profile (or the clerk, in this preview) decided is read as
decided; any other becomes a :class:`ValueQuestion` shown to the clerk with its count,
rows and a suggestion (:mod:`choices`). A suggested reading is applied in the preview
and saved with the import; a spelling without suggestion is passed on unchanged, so
the row is rejected until the clerk maps it or chooses to skip its rows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from gongkai_desktop.forms.spec import FieldSpec, FormSpec, LedgerColumn
from gongkai_desktop.forms.values import coerce_value
from gongkai_desktop.services.io.cell_text import is_blank
from gongkai_desktop.services.ledgers import cells as ledger_cells
from gongkai_desktop.services.ledgers.intake.cells import cell_text
from gongkai_desktop.services.ledgers.intake.choices import ChoiceMatcher, Suggestion
from gongkai_desktop.services.ledgers.intake.mapping import (
    MappingProfile,
    ValueDecision,
    value_key,
)

ROWS_KEPT = 30  # row numbers kept per spelling (all are counted)


@dataclass
class ValueQuestion:
    """A spelling of a choice column that is neither a label nor decided before."""

    field: str
    label: str  # the field's label
    column: str  # the sheet's header
    text: str  # as first written
    key: str  # value_key(text)
    options: tuple[str, ...]  # the labels a picker offers
    multi: bool
    suggestion: Suggestion | None
    detail_label: str = ""  # where keep_text puts the text
    count: int = 0
    rows: list[str] = dataclasses.field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return self.suggestion is None

    def suggested(self) -> ValueDecision | None:
        if self.suggestion is None:
            return None
        value = self.suggestion.value
        target = tuple(value) if isinstance(value, list | tuple) else str(value)
        return ValueDecision(target, keep_text=self.suggestion.keep_text)

    def rows_text(self, limit: int = 8) -> str:
        shown = "、".join(self.rows[:limit])
        return f"{shown}等" if self.count > limit else shown

    def __str__(self) -> str:
        head = f"“{self.label}”列的写法“{self.text}”×{self.count}（{self.rows_text()}）"
        if self.suggestion is None:
            return f"{head}：不认识，请指定对应的选项或跳过这些行"
        return f"{head}：建议按“{_shown(self.suggestion.value)}”导入（{self.suggestion.reason}）"


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "、".join(value) if value else "（无）"
    return str(value)


@dataclass(frozen=True)
class Reading:
    """One cell read: the value for ``coerce_record`` (None: empty), the text to keep in
    the detail field, and whether the row is to be skipped."""

    value: Any
    detail: str = ""
    skip: bool = False
    unknown: bool = False  # a spelling with no reading: the row will be rejected


_EMPTY = Reading(None)


class ChoiceReader:
    """The cells of one choice column; readings are cached per cell text."""

    def __init__(
        self,
        spec: FieldSpec,
        column: LedgerColumn,
        header: str,
        form: FormSpec,
        book: ChoiceBook,
    ) -> None:
        self.spec = spec
        self.column = column
        self.header = header
        self.book = book
        self.multi = spec.type == "multi_choice"
        self.matcher = ChoiceMatcher(spec, column.problem_choice or None)
        self.detail_label = (
            form.field(column.detail_field).label
            if column.detail_field and form.has_field(column.detail_field)
            else ""
        )
        self.cache: dict[str, tuple[Reading, ValueQuestion | None]] = {}

    def _known_multi(self, text: str) -> list[str] | None:
        labels = []
        for item in ledger_cells.split_multi(text):
            label = self.matcher.known(item)
            if label is None:
                return None
            labels.append(label)
        return labels

    def _decide(self, text: str) -> tuple[Reading, ValueQuestion | None]:
        if self.multi:
            labels = self._known_multi(text)
            if labels is not None:
                return Reading(labels), None
        else:
            label = self.matcher.known(text)
            if label is not None:
                return Reading(label), None
        key = value_key(text)
        decision = self.book.profile.values.get((self.spec.key, key))
        if decision is not None:
            return self._apply(decision, text), None
        question = self.book.questions.get((self.spec.key, key))
        if question is None:
            suggestion = (
                self.matcher.suggest_multi(text) if self.multi else self.matcher.suggest(text)
            )
            if suggestion is not None and suggestion.keep_text and not self.column.detail_field:
                suggestion = None  # nowhere to keep the text: the clerk decides
            question = ValueQuestion(
                field=self.spec.key,
                label=self.spec.label,
                column=self.header,
                text=text,
                key=key,
                options=tuple(self.spec.choices),
                multi=self.multi,
                suggestion=suggestion,
                detail_label=self.detail_label,
            )
            self.book.questions[(self.spec.key, key)] = question
        decision = question.suggested()
        if decision is None:
            return Reading(
                text if not self.multi else ledger_cells.split_multi(text), unknown=True
            ), question
        return self._apply(decision, text), question

    def _apply(self, decision: ValueDecision, text: str) -> Reading:
        if decision.skip:
            return Reading(None, skip=True)
        value: Any = (
            list(decision.target) if isinstance(decision.target, tuple) else decision.target
        )
        if self.multi and isinstance(value, str):
            value = [value]
        detail = text if decision.keep_text and self.column.detail_field else ""
        return Reading(value, detail=detail)

    def read(self, cell: Any, where: str) -> Reading:
        if is_blank(cell):
            return _EMPTY
        text = cell_text(cell).strip()
        hit = self.cache.get(text)
        if hit is None:
            hit = self.cache[text] = self._decide(text)
        reading, question = hit
        if question is not None:
            question.count += 1
            if len(question.rows) < ROWS_KEPT:
                question.rows.append(where)
        return reading


@dataclass
class ChoiceBook:
    """The readers of one import: decisions in, questions out (shared by every sheet)."""

    profile: MappingProfile
    questions: dict[tuple[str, str], ValueQuestion] = dataclasses.field(default_factory=dict)

    def reader(
        self, spec: FieldSpec, column: LedgerColumn, header: str, form: FormSpec
    ) -> ChoiceReader:
        return ChoiceReader(spec, column, header, form, self)

    def accepted(self) -> MappingProfile:
        """The suggestions applied in this import, as decisions to save."""
        out = MappingProfile(self.profile.ledger_id)
        for question in self.questions.values():
            decision = question.suggested()
            if decision is not None:
                out.decide(question.field, question.text, decision)
        return out


def keep_detail(form: FormSpec, raw: dict[str, Any], detail_field: str, text: str) -> str:
    """Put the text of a choice cell into its detail field (after what the row's own
    column says), making the field visible when its condition is still open. Returns a
    warning when the row says otherwise and the text is kept in 备注 instead ("" when
    kept as asked)."""
    spec = form.field(detail_field)
    condition = spec.show_if
    target = detail_field
    if condition is not None and not condition.holds(_coerced(form, raw, condition.field)):
        current = raw.get(condition.field)
        if (current is None or current == "") and condition.values:
            raw[condition.field] = condition.values[0]
        elif form.has_field("remarks") and form.field("remarks").show_if is None:
            target = "remarks"
    existing = raw.get(target)
    existing_text = cell_text(existing).strip() if existing is not None else ""
    if text not in existing_text:
        raw[target] = f"{existing_text}；{text}" if existing_text else text
    if target != detail_field:
        return (
            f"“{text}”与“{form.field(condition.field).label}”不符，原文记入“备注”"
            if condition
            else ""
        )
    return ""


def _coerced(form: FormSpec, raw: dict[str, Any], key: str) -> dict[str, Any]:
    """The row's value of ``key`` as stored (是 → True), for judging a condition."""
    value = raw.get(key)
    if value is None or not form.has_field(key):
        return {}
    try:
        return {key: coerce_value(form.field(key), value, None)}
    except Exception:  # unreadable: validation reports it, the condition stays open
        return {}
