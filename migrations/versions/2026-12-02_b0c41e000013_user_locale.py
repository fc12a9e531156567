"""user locale (I1): the language a person reads pages and mail in; '' follows the browser

Revision ID: b0c41e000013
Revises: a220af80a190
Create Date: 2026-12-02 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b0c41e000013'
down_revision = 'a220af80a190'
branch_labels = None
depends_on = None


def _sqlite_foreign_keys_off():
    """Dropping a column rebuilds user_account on SQLite; with foreign keys on, that drop
    would cascade to every row that refers to an account (see a1c0ffee0012)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
    if bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError('cannot turn off SQLite foreign keys inside a transaction')


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=10), server_default='', nullable=False))


def downgrade():
    _sqlite_foreign_keys_off()
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('locale')
