"""conversation_ref.kind long enough for the channels chosen by purpose ("committee-channel")

A reference's kind was sized for "person" and "channel"; the channels chosen in
chat by purpose are stored under their purpose, up to 17 characters. PostgreSQL
refused them (SQLite does not check lengths, which is how it went unseen).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:40:00
"""

import sqlmodel.sql.sqltypes
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversation_ref', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sqlmodel.sql.sqltypes.AutoString(length=10),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=40), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('conversation_ref', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sqlmodel.sql.sqltypes.AutoString(length=40),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=10), existing_nullable=False)
