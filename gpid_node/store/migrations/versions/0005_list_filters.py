"""list filters: indexes for the searches of brokers and auditors (invoice number, registration time,
declaration reference)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:30:00.000000
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_key_data_sets_invoice_number', 'key_data_sets', ['invoice_number'], unique=False)
    op.create_index('ix_key_data_sets_registered_at', 'key_data_sets', ['registered_at'], unique=False)
    op.create_index('ix_declaration_links_reference', 'declaration_links', ['reference'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_declaration_links_reference', table_name='declaration_links')
    op.drop_index('ix_key_data_sets_registered_at', table_name='key_data_sets')
    op.drop_index('ix_key_data_sets_invoice_number', table_name='key_data_sets')
