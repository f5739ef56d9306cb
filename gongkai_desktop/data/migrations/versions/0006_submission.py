"""Submission upward: the township's 报送包 and 回执, the county's townships, received
packages, merge origins, conflicts and 退回 notes; ``records.township_code`` and the
audit entry's origin for received data.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("township_code", sa.String(12), nullable=True))
    op.create_index("ix_records_township", "records", ["township_code"])
    # plain ADD COLUMN: a batch copy of audit_log would trip its no-delete trigger
    op.add_column("audit_log", sa.Column("origin", sa.String(12), nullable=True))
    op.add_column("audit_log", sa.Column("origin_id", sa.Integer(), nullable=True))
    op.create_index("ix_audit_log_origin", "audit_log", ["origin", "origin_id"], unique=True)
    op.create_table(
        "townships",
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("contact", sa.String(100), nullable=False, server_default=""),
        sa.Column("phone", sa.String(40), nullable=False, server_default=""),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("package_sha256", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("file_name", sa.String(260), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("receipt_sha256", sa.String(64), nullable=True),
        sa.Column("accepted", sa.Integer(), nullable=True),
        sa.Column("conflicts", sa.Integer(), nullable=True),
    )
    op.create_table(
        "returned_records",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("package_sha256", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("version_returned", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("returned_at", sa.DateTime(), nullable=False),
        sa.Column("cleared_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_returned_records_record_id", "returned_records", ["record_id"])
    op.create_index(
        "ix_returned_records_key",
        "returned_records",
        ["record_id", "package_sha256", "note"],
        unique=True,
    )
    op.create_table(
        "received_packages",
        sa.Column("package_sha256", sa.String(64), primary_key=True),
        sa.Column("township_code", sa.String(12), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("app_version", sa.String(40), nullable=False, server_default=""),
        sa.Column("record_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("added", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("replaced", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("unchanged", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("conflicts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("form_counts", sa.JSON(), nullable=False),
    )
    op.create_index("ix_received_packages_township_code", "received_packages", ["township_code"])
    op.create_table(
        "record_origins",
        sa.Column("record_id", sa.String(36), primary_key=True),
        sa.Column("township_code", sa.String(12), nullable=False),
        sa.Column("received_version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_record_origins_township_code", "record_origins", ["township_code"])
    op.create_table(
        "merge_conflicts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("township_code", sa.String(12), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("form_id", sa.String(40), nullable=False),
        sa.Column("package_sha256", sa.String(64), nullable=False),
        sa.Column("incoming_version", sa.Integer(), nullable=False),
        sa.Column("incoming", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(200), nullable=False, server_default=""),
    )
    op.create_index("ix_merge_conflicts_record_id", "merge_conflicts", ["record_id"])
    op.create_index(
        "ix_merge_conflicts_key", "merge_conflicts", ["record_id", "incoming_version"], unique=True
    )
    op.create_table(
        "return_notes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("township_code", sa.String(12), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("record_version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False, server_default=""),
        sa.Column("receipt_sha256", sa.String(64), nullable=True),
    )
    op.create_index("ix_return_notes_township_code", "return_notes", ["township_code"])


def downgrade() -> None:
    for table in (
        "return_notes",
        "merge_conflicts",
        "record_origins",
        "received_packages",
        "returned_records",
        "submissions",
        "townships",
    ):
        op.drop_table(table)
    op.drop_index("ix_audit_log_origin", "audit_log")
    # SQLite's own DROP COLUMN (3.35+) keeps the table and its triggers
    op.execute("ALTER TABLE audit_log DROP COLUMN origin_id")
    op.execute("ALTER TABLE audit_log DROP COLUMN origin")
    op.drop_index("ix_records_township", "records")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("township_code")
