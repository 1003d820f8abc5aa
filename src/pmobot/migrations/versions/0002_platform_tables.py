"""platform tables: delivery dedup, conversation references, Slack installs, pacing, unreachable people

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:29:42.388103
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import pmobot.domain.models

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversation_ref',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('reference', sa.JSON(), nullable=False),
    sa.Column('updated_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'kind', 'address', name='uq_conversation_ref')
    )
    op.create_table('inbound_delivery',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('received_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('inbound_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_delivery_received_at'), ['received_at'], unique=False)

    op.create_table('slack_installation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('enterprise_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('installed_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('slack_installation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_installation_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slack_installation_team_id'), ['team_id'], unique=False)

    op.create_table('slack_oauth_state',
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('expires_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('state')
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pace', ['platform', 'target', 'sent_at'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreachable_since', pmobot.domain.models.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('unreachable_reason', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )



def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('unreachable_reason')
        batch_op.drop_column('unreachable_since')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pace')

    op.drop_table('slack_oauth_state')
    with op.batch_alter_table('slack_installation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_installation_team_id'))
        batch_op.drop_index(batch_op.f('ix_slack_installation_enterprise_id'))

    op.drop_table('slack_installation')
    with op.batch_alter_table('inbound_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_delivery_received_at'))

    op.drop_table('inbound_delivery')
    op.drop_table('conversation_ref')
