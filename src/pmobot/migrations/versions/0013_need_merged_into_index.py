"""need.merged_into_id index: every status asks whether needs were merged into this one

Without it that question read the whole need table once per ``/pmo status`` (10,000 needs: a scan a
request).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 11:00:00
"""

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_need_merged_into_id', 'need', ['merged_into_id'])


def downgrade() -> None:
    op.drop_index('ix_need_merged_into_id', table_name='need')
