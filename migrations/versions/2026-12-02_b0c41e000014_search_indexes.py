"""search indexes (P5): SQLite FTS5 tables with their triggers, PostgreSQL GIN indexes

Revision ID: b0c41e000014
Revises: b0c41e000013
Create Date: 2026-12-02 03:10:00

"""
from alembic import op

from summit.models import search_index


# revision identifiers, used by Alembic.
revision = 'b0c41e000014'
down_revision = 'b0c41e000013'
branch_labels = None
depends_on = None


def upgrade():
    search_index.create(op.get_bind())


def downgrade():
    search_index.drop(op.get_bind())
