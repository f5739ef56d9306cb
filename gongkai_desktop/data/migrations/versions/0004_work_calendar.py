"""The office's holiday table (设置 → 节假日): single days marked 上班 or 休息, and the
years entered completely, over chinese-calendar (DOMAIN §0, §5).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(100), nullable=False, server_default=""),
    )
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
        sa.Column("entered_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("calendar_years")
    op.drop_table("calendar_days")
