"""project.closed_at, closed_by_id, closing_reason: a project is marked done or cancelled, once, with why

Existing projects are all active: the new columns start empty.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 06:50:00
"""

import sqlalchemy as sa
from alembic import op

import pmobot.domain.models

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('project') as batch_op:
        batch_op.add_column(sa.Column('closed_at', pmobot.domain.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closing_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key('fk_project_closed_by_id_person', 'person', ['closed_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('project') as batch_op:
        batch_op.drop_constraint('fk_project_closed_by_id_person', type_='foreignkey')
        batch_op.drop_column('closing_reason')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('closed_at')
