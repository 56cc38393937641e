"""confidential reasons: a format-2 amendment's reason in words is kept apart as its event carried it
(``versions.chain_reason``), and ``versions.reason`` holds it only where this node reads the version

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_FORMAT_2 = "gpid IN (SELECT gpid FROM key_data_sets WHERE format = 2)"


def upgrade() -> None:
    op.add_column('versions', sa.Column('chain_reason', sa.Text(), nullable=True))
    # Format-2 amendments indexed before: their event's reason kept apart, and shown no more where
    # this node cannot read the version (as its data).
    op.execute(f"UPDATE versions SET chain_reason = reason WHERE version > 1 AND reason <> '' AND {_FORMAT_2}")
    # (the JSON column keeps a version without data as SQL NULL or as JSON null, by how it was written)
    op.execute(f"UPDATE versions SET reason = NULL WHERE (data IS NULL OR CAST(data AS TEXT) = 'null') AND {_FORMAT_2}")


def downgrade() -> None:
    op.execute("UPDATE versions SET reason = chain_reason WHERE reason IS NULL AND chain_reason IS NOT NULL")
    with op.batch_alter_table('versions') as batch:
        batch.drop_column('chain_reason')
