"""Search column and list index: lists of 100,000 records search and page in SQL.

Adds ``records.search_text`` (filled from each record's values) and replaces the
single-column form index by one over (form_id, deleted, record_date), the filter
every record list and report uses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import json

import sqlalchemy as sa
from alembic import op

from gongkai_desktop.data.search import search_text_of

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, title, data FROM records")).fetchall()
    for record_id, title, data in rows:
        values = json.loads(data) if isinstance(data, str) else (data or {})
        conn.execute(
            sa.text("UPDATE records SET search_text = :t WHERE id = :id"),
            {"t": search_text_of(values, [title or ""]), "id": record_id},
        )
    op.drop_index("ix_records_form_id", "records")
    op.create_index(
        "ix_records_form_deleted_date", "records", ["form_id", "deleted", "record_date"]
    )


def downgrade() -> None:
    op.drop_index("ix_records_form_deleted_date", "records")
    op.create_index("ix_records_form_id", "records", ["form_id"])
    with op.batch_alter_table("records") as batch:
        batch.drop_column("search_text")
