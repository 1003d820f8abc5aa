"""outbox_message (platform, sent_at) index: pacing a platform's sends as a whole (Teams' 50 a second per app)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 08:00:00
"""

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_outbox_platform_pace', 'outbox_message', ['platform', 'sent_at'])


def downgrade() -> None:
    op.drop_index('ix_outbox_platform_pace', table_name='outbox_message')
