"""conversations put aside, questions from the requester to IT, replies to notifications

A second dialog started in the same conversation no longer deletes the first:
it is put aside (``parked_at``), so the unique rule now holds only for the
dialog in front. A question records who is to answer it (``addressee``):
rows stored before were all IT's questions to the requester. A message to a
person records the need it is about (``subject``), so a reply to it goes there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 21:40:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import pmobot.domain.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_IN_FRONT = sa.text("parked_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('conversation_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parked_at', pmobot.domain.models.UTCDateTime(), nullable=True))
        batch_op.drop_constraint('uq_conversation_person', type_='unique')
        batch_op.create_index('uq_conversation_in_front', ['conversation_key', 'person_id'], unique=True,
                              sqlite_where=_IN_FRONT, postgresql_where=_IN_FRONT)
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('addressee', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default='requester'))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.create_index('ix_outbox_platform_message', ['platform', 'platform_message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_platform_message')
        batch_op.drop_column('subject')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('addressee')
    # Dialogs put aside would break the older unique rule: they go first.
    op.execute("DELETE FROM conversation_state WHERE parked_at IS NOT NULL")
    with op.batch_alter_table('conversation_state', schema=None) as batch_op:
        batch_op.drop_index('uq_conversation_in_front')
        batch_op.create_unique_constraint('uq_conversation_person', ['conversation_key', 'person_id'])
        batch_op.drop_column('parked_at')
