"""The form fields that have an index for lists (migration 0007), and the SQL that uses it.

A list sorted or filtered by a form field orders records by ``json_extract(data, '$.key')``.
Without an index SQLite computes that for every record of the form and sorts them all
(0.3–0.6 s at 100,000 records) for every page. Migration 0007 creates, per form, a partial
index on ``(deleted, json_extract(data, '$.key'), id)`` for records of that form: a page is
then a walk along the index, and a page deep in the list a seek. SQLite matches an indexed
expression by its parsed form, so the path must be written into the SQL as a literal
('$.village'), never a bound parameter: ``json_path`` does that.

These are the fields the forms' lists show as columns (``list_columns``, and the deadline a
逾期/临期 column sorts by) and filter on (``list_filters``). A field added to a list later
still works, unindexed; ``tests/unit/test_list_indexes.py`` says which list fields lack
an index so that the next migration can add them.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column

# form id → field keys indexed by migration 0007 (the migration holds its own frozen copy)
LIST_INDEXES: dict[str, tuple[str, ...]] = {
    "annual_indicator": ("indicator", "value", "unit", "source"),
    "disclosure_item": ("doc_no", "category", "published_date", "timeliness"),
    "disclosure_request": (
        "applicant",
        "applicant_type",
        "reply_deadline",
        "reply_date",
        "outcome",
    ),
    "inspection": (
        "village",
        "inspectors",
        "problem_found",
        "follow_up_needed",
        "inspection_type",
        "site",
    ),
    "other_work": ("subject", "times", "participants", "notices"),
    "outreach_event": ("event_type", "place", "staff_count", "audience_count", "materials"),
    "rectification_task": (
        "description",
        "problem_type",
        "deadline_in_force",
        "completed_date",
        "source",
        "village",
        "site",
    ),
    "review_case": ("litigation_kind", "case_no", "applicant", "decided_date"),
    "site": (
        "site_type",
        "village",
        "responsible_person",
        "phone",
        "patrol_times",
        "patrol_period",
    ),
}

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")  # the form files' key pattern (forms/schema.py)


def index_name(form_id: str, key: str) -> str:
    return f"ix_records_{form_id}_{key}"


def json_path(table: Any, key: str) -> ColumnElement[Any]:
    """``json_extract(<table>.data, '$.key')`` with the path as a literal, so that SQLite
    recognises the indexed expression."""
    if not _KEY.match(key):  # never reached from a validated form file
        raise ValueError(f"不是合法的字段名：{key!r}")
    return func.json_extract(table.data, literal_column(f"'$.{key}'"))


def is_indexed(form_id: str | None, key: str) -> bool:
    return form_id is not None and key in LIST_INDEXES.get(form_id, ())
