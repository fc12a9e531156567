"""schedule releases replace the published copy

Each summit with published sessions gets release 1, holding one published_session row per
session that had a published place (cancelled ones too), with every public fact: the
published title, length, track and place, the times computed from the day's grid as the
app does, and the session's description, lead and linked blueprints (the shadow columns
did not copy those: the draft's are the best record left). SEQUENCE and the last public
change carry over. Then the shadow columns go.

Revision ID: 2fd46658a8dd
Revises: 3983329f745b
Create Date: 2026-12-01 23:14:37.393881

"""
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa

import summit.models.base


# revision identifiers, used by Alembic.
revision = '2fd46658a8dd'
down_revision = '3983329f745b'
branch_labels = None
depends_on = None


def upgrade():
    _sqlite_foreign_keys_off()
    op.create_table('schedule_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('summit_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('published_at', summit.models.base.UTCDateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_schedule_release_number_positive')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_schedule_release_published_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['summit_id'], ['summit.id'], name=op.f('fk_schedule_release_summit_id_summit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_release')),
    sa.UniqueConstraint('summit_id', 'number', name=op.f('uq_schedule_release_summit_id_number'))
    )
    op.create_table('published_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('lead_name', sa.String(length=120), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=True),
    sa.Column('length_slots', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=True),
    sa.Column('start_slot', sa.Integer(), nullable=False),
    sa.Column('starts_at', summit.models.base.UTCDateTime(), nullable=False),
    sa.Column('ends_at', summit.models.base.UTCDateTime(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('blueprints', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('changed_at', summit.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled')", name=op.f('ck_published_session_status_known')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_published_session_sequence_not_negative')),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], name=op.f('fk_published_session_day_id_day'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_id'], ['user_account.id'], name=op.f('fk_published_session_lead_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['release_id'], ['schedule_release.id'], name=op.f('fk_published_session_release_id_schedule_release'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_published_session_room_id_room'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['design_session.id'], name=op.f('fk_published_session_session_id_design_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_published_session_track_id_track'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_session')),
    sa.UniqueConstraint('release_id', 'session_id', name=op.f('uq_published_session_release_id_session_id'))
    )
    with op.batch_alter_table('published_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_session_release_id'), ['release_id'], unique=False)

    _published_copy_to_release_one()

    with op.batch_alter_table('design_session', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('pinned', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('design_session', schema=None) as batch_op:
        batch_op.alter_column('pinned', server_default=None)
        batch_op.drop_constraint(batch_op.f('fk_design_session_published_day_id_day'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_design_session_published_room_id_room'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_design_session_published_track_id_track'), type_='foreignkey')
        batch_op.drop_column('published_length_slots')
        batch_op.drop_column('changed_at')
        batch_op.drop_column('published_day_id')
        batch_op.drop_column('published_track_id')
        batch_op.drop_column('sequence')
        batch_op.drop_column('published_title')
        batch_op.drop_column('published_start_slot')
        batch_op.drop_column('published_room_id')

    # ### end Alembic commands ###


def _sqlite_foreign_keys_off():
    """On SQLite, batch mode rebuilds design_session: drop the old table and rename the
    new one. With foreign keys on, that drop deletes every star (interest) and unlinks every
    blueprint (and our published_session rows). Turn them off for this migration."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
    if bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError('cannot turn off SQLite foreign keys inside a transaction')


_summit = sa.table(
    'summit',
    sa.column('id', sa.Integer),
    sa.column('timezone', sa.String),
    sa.column('published_at', summit.models.base.UTCDateTime()),
)
_day = sa.table(
    'day',
    sa.column('id', sa.Integer),
    sa.column('date', sa.Date),
    sa.column('first_slot', sa.Time),
    sa.column('slot_minutes', sa.Integer),
    sa.column('break_minutes', sa.Integer),
    sa.column('slots_before_lunch', sa.Integer),
    sa.column('lunch_minutes', sa.Integer),
    sa.column('lightning_minutes', sa.Integer),
)
_session = sa.table(
    'design_session',
    sa.column('id', sa.Integer),
    sa.column('summit_id', sa.Integer),
    sa.column('track_id', sa.Integer),
    sa.column('lead_id', sa.Integer),
    sa.column('title', sa.String),
    sa.column('description', sa.Text),
    sa.column('length_slots', sa.Integer),
    sa.column('status', sa.String),
    sa.column('updated_at', summit.models.base.UTCDateTime()),
    sa.column('published_day_id', sa.Integer),
    sa.column('published_start_slot', sa.Integer),
    sa.column('published_room_id', sa.Integer),
    sa.column('published_title', sa.String),
    sa.column('published_length_slots', sa.Integer),
    sa.column('published_track_id', sa.Integer),
    sa.column('sequence', sa.Integer),
    sa.column('changed_at', summit.models.base.UTCDateTime()),
)
_user = sa.table('user_account', sa.column('id', sa.Integer), sa.column('name', sa.String))
_blueprint = sa.table(
    'blueprint',
    sa.column('id', sa.Integer),
    sa.column('session_id', sa.Integer),
    sa.column('title', sa.String),
    sa.column('status', sa.String),
)
_release = sa.table(
    'schedule_release',
    sa.column('id', sa.Integer),
    sa.column('summit_id', sa.Integer),
    sa.column('number', sa.Integer),
    sa.column('published_at', summit.models.base.UTCDateTime()),
    sa.column('published_by_id', sa.Integer),
    sa.column('note', sa.Text),
)
_published = sa.table(
    'published_session',
    *(
        sa.column(name, type_)
        for name, type_ in (
            ('release_id', sa.Integer),
            ('session_id', sa.Integer),
            ('title', sa.String),
            ('description', sa.Text),
            ('lead_id', sa.Integer),
            ('lead_name', sa.String),
            ('track_id', sa.Integer),
            ('length_slots', sa.Integer),
            ('day_id', sa.Integer),
            ('start_slot', sa.Integer),
            ('starts_at', summit.models.base.UTCDateTime()),
            ('ends_at', summit.models.base.UTCDateTime()),
            ('room_id', sa.Integer),
            ('blueprints', sa.Text),
            ('status', sa.String),
            ('sequence', sa.Integer),
            ('changed_at', summit.models.base.UTCDateTime()),
        )
    ),
)


def _slot_start(day, zone, index):
    """Day.slots' arithmetic, as of this revision: wall-clock minutes after the first slot."""
    step = day.slot_minutes + day.break_minutes
    if index < day.slots_before_lunch:
        minutes = index * step
    else:
        morning = day.slots_before_lunch * step - (
            day.break_minutes if day.slots_before_lunch else 0
        )
        afternoon = morning + day.lunch_minutes + day.lightning_minutes
        minutes = afternoon + (index - day.slots_before_lunch) * step
    start = datetime.combine(day.date, day.first_slot, tzinfo=zone) + timedelta(minutes=minutes)
    return start.astimezone(UTC)


def _published_copy_to_release_one():
    conn = op.get_bind()
    days = {d.id: d for d in conn.execute(sa.select(_day))}
    summits = {s.id: s for s in conn.execute(sa.select(_summit))}
    names = {u.id: u.name for u in conn.execute(sa.select(_user))}
    linked = {}
    for b in conn.execute(
        sa.select(_blueprint)
        .where(_blueprint.c.status.in_(['accepted', 'merged']), _blueprint.c.session_id.isnot(None))
        .order_by(_blueprint.c.id)
    ):
        linked.setdefault(b.session_id, []).append([b.id, b.title])
    sessions = conn.execute(
        sa.select(_session)
        .where(_session.c.published_day_id.isnot(None), _session.c.published_room_id.isnot(None))
        .order_by(_session.c.summit_id, _session.c.id)
    ).all()
    release_ids = {}
    now = datetime.now(UTC)
    for s in sessions:
        day = days.get(s.published_day_id)
        if day is None:
            continue
        summit_row = summits[s.summit_id]
        if s.summit_id not in release_ids:
            release_ids[s.summit_id] = conn.execute(
                sa.insert(_release)
                .values(
                    summit_id=s.summit_id,
                    number=1,
                    published_at=summit_row.published_at or now,
                    published_by_id=None,
                    note='',
                )
                .returning(_release.c.id)
            ).scalar_one()
        zone = ZoneInfo(summit_row.timezone)
        first = s.published_start_slot or 0
        length = s.published_length_slots or s.length_slots
        last_start = _slot_start(day, zone, first + length - 1)
        conn.execute(
            sa.insert(_published).values(
                release_id=release_ids[s.summit_id],
                session_id=s.id,
                title=s.published_title or s.title,
                description=s.description or '',
                lead_id=s.lead_id,
                lead_name=names.get(s.lead_id, '') if s.lead_id else '',
                track_id=s.published_track_id or s.track_id,
                length_slots=length,
                day_id=day.id,
                start_slot=first,
                starts_at=_slot_start(day, zone, first),
                ends_at=last_start + timedelta(minutes=day.slot_minutes),
                room_id=s.published_room_id,
                blueprints=json.dumps(linked.get(s.id, []), ensure_ascii=False),
                status='cancelled' if s.status == 'cancelled' else 'scheduled',
                sequence=s.sequence or 0,
                changed_at=s.changed_at or s.updated_at or summit_row.published_at or now,
            )
        )


def downgrade():
    """The latest release of each summit becomes the published copy again."""
    _sqlite_foreign_keys_off()
    with op.batch_alter_table('design_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_room_id', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('published_start_slot', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('published_title', sa.VARCHAR(length=120), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.INTEGER(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('published_track_id', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('published_day_id', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('changed_at', summit.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('published_length_slots', sa.INTEGER(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_design_session_published_track_id_track'), 'track', ['published_track_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_design_session_published_room_id_room'), 'room', ['published_room_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_design_session_published_day_id_day'), 'day', ['published_day_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_column('pinned')

    conn = op.get_bind()
    newest = {}
    for r in conn.execute(sa.select(_release.c.id, _release.c.summit_id, _release.c.number)):
        if r.summit_id not in newest or r.number > newest[r.summit_id][1]:
            newest[r.summit_id] = (r.id, r.number)
    for release_id, _number in newest.values():
        for p in conn.execute(sa.select(_published).where(_published.c.release_id == release_id)):
            conn.execute(
                sa.update(_session)
                .where(_session.c.id == p.session_id)
                .values(
                    published_day_id=p.day_id,
                    published_start_slot=p.start_slot,
                    published_room_id=p.room_id,
                    published_title=p.title,
                    published_length_slots=p.length_slots,
                    published_track_id=p.track_id,
                    sequence=p.sequence,
                    changed_at=p.changed_at,
                )
            )

    with op.batch_alter_table('published_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_session_release_id'))

    op.drop_table('published_session')
    op.drop_table('schedule_release')
    # ### end Alembic commands ###
