"""Per-table write counters for the page cache (core/cache.py)

Revision ID: 0006_data_generations
Revises: 0005_fireside_office_privacy
Create Date: 2026-11-22 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_data_generations'
down_revision = '0005_fireside_office_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_generations',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_generations'))
    )


def downgrade():
    op.drop_table('data_generations')
