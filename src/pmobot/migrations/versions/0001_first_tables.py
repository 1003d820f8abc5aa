"""first tables

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 08:35:00.702989
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import pmobot.domain.models

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('key_counter',
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix')
    )
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('target_kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('thread_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('replaces_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.Column('locked_until', pmobot.domain.models.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('platform_message_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.Column('sent_at', pmobot.domain.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('handle', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'external_id', name='uq_person_platform_external')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_handle'), ['handle'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_subject'), ['subject'], unique=False)

    op.create_table('conversation_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('spec_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_key', 'person_id', name='uq_conversation_person')
    )
    with op.batch_alter_table('conversation_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_state_person_id'), ['person_id'], unique=False)

    op.create_table('need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('benefits', sa.Text(), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('sponsor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('users_affected', sa.Integer(), nullable=True),
    sa.Column('desired_date', sa.Date(), nullable=True),
    sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.Column('systems', sa.JSON(), nullable=False),
    sa.Column('personal_data', sa.Boolean(), nullable=True),
    sa.Column('external_vendor', sa.Boolean(), nullable=True),
    sa.Column('opening_message', sa.Text(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('source_platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('source_conversation', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', pmobot.domain.models.UTCDateTime(), nullable=True),
    sa.Column('waiting_since', pmobot.domain.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['requester_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_number'), ['number'], unique=True)
        batch_op.create_index(batch_op.f('ix_need_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_status'), ['status'], unique=False)

    op.create_table('role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'role', name='uq_role_grant')
    )
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grant_person_id'), ['person_id'], unique=False)

    op.create_table('estimate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effort_low', sa.Float(), nullable=False),
    sa.Column('effort_likely', sa.Float(), nullable=False),
    sa.Column('effort_high', sa.Float(), nullable=False),
    sa.Column('cost', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('duration_days', sa.Integer(), nullable=False),
    sa.Column('confidence', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('technical_risk', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('security_review', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('estimator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['estimator_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('need_id', 'version', name='uq_estimate_version')
    )
    with op.batch_alter_table('estimate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_estimate_need_id'), ['need_id'], unique=False)

    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('asked_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', pmobot.domain.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['asked_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_need_id'), ['need_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_need_id'))

    op.drop_table('question')
    with op.batch_alter_table('estimate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_estimate_need_id'))

    op.drop_table('estimate')
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grant_person_id'))

    op.drop_table('role_grant')
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_status'))
        batch_op.drop_index(batch_op.f('ix_need_requester_id'))
        batch_op.drop_index(batch_op.f('ix_need_number'))

    op.drop_table('need')
    with op.batch_alter_table('conversation_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_state_person_id'))

    op.drop_table('conversation_state')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_subject'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_handle'))

    op.drop_table('person')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox_message')
    op.drop_table('key_counter')
