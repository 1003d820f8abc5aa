"""need.version (every status step is a compare-and-set on it), question.closed_at (questions close with the need)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 21:40:00
"""

import sqlalchemy as sa
from alembic import op

import pmobot.domain.models

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing needs start at 0: the number only has to change with each step.
    with op.batch_alter_table('need') as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('question') as batch_op:
        batch_op.add_column(sa.Column('closed_at', pmobot.domain.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('question') as batch_op:
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('need') as batch_op:
        batch_op.drop_column('version')
