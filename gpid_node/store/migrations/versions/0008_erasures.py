"""erasures: the GPIDs whose data this node erased (crypto-shredding), who, when and why

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:45:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('erasures',
    sa.Column('gpid', sa.String(length=34), nullable=False),
    sa.Column('gpid_text', sa.String(length=35), nullable=False),
    sa.Column('erased_by', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('gpid', name=op.f('pk_erasures'))
    )


def downgrade() -> None:
    op.drop_table('erasures')
