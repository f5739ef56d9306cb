"""Imported files: the content hash of every file imported into a ledger, so that
importing the same file again adds nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_files",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("ledger_id", sa.String(60), nullable=False),
        sa.Column("file_name", sa.String(260), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("rows_added", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
    )
    op.create_index(
        "ix_imported_files_hash_ledger", "imported_files", ["sha256", "ledger_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_imported_files_hash_ledger", "imported_files")
    op.drop_table("imported_files")
