"""inbound_request: the earlier-row probe of a claim reads a partial index of the unfinished rows

A claim keeps a row back while an earlier unfinished row of its conversation exists. That probe read
``ix_inbound_request_open`` (status, conversation, id), which also holds every done row of the day; on
PostgreSQL, before its statistics were gathered, the planner preferred the partial index of unfinished ids
and walked it down from each candidate (600 rows waiting in 20 conversations: 2.2 ms a claim, against
0.9 ms with this index). ``(conversation, id)`` over the unfinished rows is exactly the probe.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# Written out here, not imported: a migration keeps the predicate it was written with.
UNFINISHED = "status IN ('pending', 'answering')"


def upgrade() -> None:
    op.create_index('ix_inbound_request_heads', 'inbound_request', ['conversation', 'id'],
                    sqlite_where=sa.text(UNFINISHED), postgresql_where=sa.text(UNFINISHED))
    op.drop_index('ix_inbound_request_open', table_name='inbound_request')


def downgrade() -> None:
    op.create_index('ix_inbound_request_open', 'inbound_request', ['status', 'conversation', 'id'])
    op.drop_index('ix_inbound_request_heads', table_name='inbound_request')
