"""Tamper evidence: the audit log's hash chain (``audit_log.hash``), record checksums
(``records.checksum``), and the chain head a 报送包 carried (``submissions.audit_last_id``
on the township, ``received_packages.audit_*`` at the county). See data/hashing.py.

Existing entries and records are hashed as they are stored. The no-update trigger is
dropped for the backfill and created again with the same statement, in this migration's
transaction: if anything fails, the trigger is back with the rest.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from gongkai_desktop.data.integrity import backfill_chain, backfill_checksums

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# as created by 0001
NO_UPDATE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, '修改记录只能追加，不能修改'); END"
)


def upgrade() -> None:
    # plain ADD COLUMN: a batch copy of audit_log would trip its no-delete trigger
    op.add_column("audit_log", sa.Column("hash", sa.String(64), nullable=True))
    op.add_column("records", sa.Column("checksum", sa.String(64), nullable=True))
    op.add_column("submissions", sa.Column("audit_last_id", sa.Integer(), nullable=True))
    op.add_column("received_packages", sa.Column("audit_last_id", sa.Integer(), nullable=True))
    op.add_column("received_packages", sa.Column("audit_hash", sa.String(64), nullable=True))
    op.add_column("received_packages", sa.Column("audit_count", sa.Integer(), nullable=True))
    op.add_column("received_packages", sa.Column("audit_problem", sa.Text(), nullable=True))
    connection = op.get_bind()
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    backfill_chain(connection)
    op.execute(NO_UPDATE)
    backfill_checksums(connection)


def downgrade() -> None:
    # SQLite's own DROP COLUMN (3.35+) keeps the tables and audit_log's triggers
    for column in ("audit_problem", "audit_count", "audit_hash", "audit_last_id"):
        op.execute(f"ALTER TABLE received_packages DROP COLUMN {column}")
    op.execute("ALTER TABLE submissions DROP COLUMN audit_last_id")
    op.execute("ALTER TABLE records DROP COLUMN checksum")
    op.execute("ALTER TABLE audit_log DROP COLUMN hash")
