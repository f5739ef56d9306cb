"""Import mapping profiles: per ledger, how the office's hand-kept spellings are read
(a choice value → labels, or skip the row; a sheet header → a ledger column), decided
once by the clerk and applied to the next file.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ledger_id", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("field", sa.String(100), nullable=False, server_default=""),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("source_text", sa.String(500), nullable=False, server_default=""),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False, server_default=""),
    )
    op.create_index(
        "ix_import_mappings_key",
        "import_mappings",
        ["ledger_id", "kind", "field", "source"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_import_mappings_key", "import_mappings")
    op.drop_table("import_mappings")
