"""Patrols of a site by date: ``(site_id, form_id, deleted, record_date)``.

The 工作台 and the reports count each site's patrols in a month or quarter with one
correlated count per site. With only ``(site_id)`` and ``(form_id, deleted,
record_date)`` to choose from, SQLite walked the whole month's patrols once per site
(and once more for each use of the count): 6-9 s at 100,000 records. This index answers
each site's count by seeking to the site and the period (1.7 s for the whole 工作台,
busy machine). It starts with ``site_id``, so it replaces the plain ``ix_records_site``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_records_site_form_date", "records", ["site_id", "form_id", "deleted", "record_date"]
    )
    op.drop_index("ix_records_site", "records")


def downgrade() -> None:
    op.create_index("ix_records_site", "records", ["site_id"])
    op.drop_index("ix_records_site_form_date", "records")
