"""accounts: verified addresses, revocable logins; a blueprint quota per summit

Revision ID: a1c0ffee0012
Revises: 2fd46658a8dd
Create Date: 2026-12-01 23:40:00

Existing accounts that have a password are taken as verified (they were made before
verification existed); imported, password-less accounts stay unverified until their owner
claims them by mail. Every account gets its own random session token.
"""
import secrets

from alembic import op
import sqlalchemy as sa

import summit.models.base


revision = 'a1c0ffee0012'
down_revision = '2fd46658a8dd'
branch_labels = None
depends_on = None


def _sqlite_foreign_keys_off():
    """On SQLite, batch mode rebuilds user_account (drop the old table, rename the new one).
    With foreign keys on, that drop would cascade to every registration, star, talk and
    blueprint. Turn them off for this migration (possible only outside a transaction)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
    if bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError('cannot turn off SQLite foreign keys inside a transaction')


def upgrade():
    _sqlite_foreign_keys_off()
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', summit.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), server_default='', nullable=False))

    users = sa.table(
        'user_account',
        sa.column('id', sa.Integer),
        sa.column('session_token', sa.String),
        sa.column('email_verified_at', summit.models.base.UTCDateTime()),
        sa.column('created_at', summit.models.base.UTCDateTime()),
        sa.column('password_hash', sa.String),
    )
    conn = op.get_bind()
    op.execute(
        users.update()
        .where(users.c.password_hash.is_not(None))
        .values(email_verified_at=users.c.created_at)
    )
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(
            users.update().where(users.c.id == user_id).values(session_token=secrets.token_urlsafe(24))
        )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('session_token', server_default=None)

    with op.batch_alter_table('summit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blueprints_per_person', sa.Integer(), server_default='20', nullable=False))


def downgrade():
    _sqlite_foreign_keys_off()
    with op.batch_alter_table('summit', schema=None) as batch_op:
        batch_op.drop_column('blueprints_per_person')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_token')
        batch_op.drop_column('email_verified_at')
