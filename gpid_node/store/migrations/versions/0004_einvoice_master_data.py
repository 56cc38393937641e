"""e-invoice master data: each seller's item catalogue and partner directory

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 16:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalogue_items',
    sa.Column('seller_trader_key', sa.String(length=66), nullable=False),
    sa.Column('item_id', sa.String(length=80), nullable=False),
    sa.Column('hs_code', sa.String(length=10), nullable=True),
    sa.Column('country_of_origin', sa.String(length=2), nullable=True),
    sa.Column('preferential_origin', sa.String(length=8), nullable=True),
    sa.Column('net_mass_kg_per_unit', sa.String(length=40), nullable=True),
    sa.Column('packages_per_unit', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seller_trader_key', 'item_id', name=op.f('pk_catalogue_items'))
    )
    op.create_table('partners',
    sa.Column('seller_trader_key', sa.String(length=66), nullable=False),
    sa.Column('partner_id', sa.String(length=80), nullable=False),
    sa.Column('trader_id_scheme', sa.String(length=10), nullable=False),
    sa.Column('trader_id_value', sa.String(length=35), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seller_trader_key', 'partner_id', name=op.f('pk_partners'))
    )


def downgrade() -> None:
    op.drop_table('partners')
    op.drop_table('catalogue_items')
