"""List indexes: every sort and filter of a record list walks an index.

Per form, a partial index on ``(deleted, json_extract(data, '$.key'), id)`` over that
form's records for each field its list shows or filters on (the copy below is frozen: the
app's current list is ``gongkai_desktop.data.list_indexes.LIST_INDEXES``), and indexes
ending in ``id`` on the real columns lists sort by (date, 最后修改, creation, title,
status; the 回收站's deletion time), so that a page, the first or the 500th, reads only its rows.

SQLite cannot describe an expression index to SQLAlchemy: a later migration that copies
``records`` (``batch_alter_table``) drops these indexes and must create them again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FIELD_INDEXES: dict[str, tuple[str, ...]] = {
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

# name → columns of the plain indexes (they are in models.py too)
COLUMN_INDEXES = {
    "ix_records_form_deleted_updated": ["form_id", "deleted", "updated_at", "id"],
    "ix_records_form_deleted_created": ["form_id", "deleted", "created_at", "id"],
    "ix_records_form_deleted_title": ["form_id", "deleted", "title", "id"],
    "ix_records_form_deleted_status": ["form_id", "deleted", "status", "id"],
    "ix_records_deleted_at": ["deleted", "deleted_at", "id"],
}


def upgrade() -> None:
    for form_id, keys in FIELD_INDEXES.items():
        for key in keys:
            op.execute(
                f"CREATE INDEX ix_records_{form_id}_{key} ON records"
                f" (deleted, json_extract(data, '$.{key}'), id) WHERE form_id = '{form_id}'"
            )
    # the date index gains the id every list breaks ties by
    op.drop_index("ix_records_form_deleted_date", "records")
    op.create_index(
        "ix_records_form_deleted_date", "records", ["form_id", "deleted", "record_date", "id"]
    )
    for name, columns in COLUMN_INDEXES.items():
        op.create_index(name, "records", columns)


def downgrade() -> None:
    for name in COLUMN_INDEXES:
        op.drop_index(name, "records")
    op.drop_index("ix_records_form_deleted_date", "records")
    op.create_index(
        "ix_records_form_deleted_date", "records", ["form_id", "deleted", "record_date"]
    )
    for form_id, keys in FIELD_INDEXES.items():
        for key in keys:
            op.execute(f"DROP INDEX ix_records_{form_id}_{key}")
