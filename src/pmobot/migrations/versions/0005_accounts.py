"""accounts: a person may be reached on several platforms; their platform ids move to ``account``

Each existing person keeps exactly one account, with the platform and id they had;
``person`` loses those two columns and gains the platform a person wants
notifications on and the one they last wrote from (the one they had).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 21:45:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import pmobot.domain.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'external_id', name='uq_account_platform_external')
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_email'), ['email'], unique=False)
    # Everyone keeps the account they had; an e-mail stored before was not verified by a platform.
    op.execute("INSERT INTO account (person_id, platform, external_id, email, created_at) "
               "SELECT id, platform, external_id, NULL, created_at FROM person")
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('last_platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    op.execute("UPDATE person SET last_platform = platform")
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint('uq_person_platform_external', type_='unique')
        batch_op.drop_column('external_id')
        batch_op.drop_column('platform')


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
    # A person linked on several platforms goes back to the account they were first seen with.
    op.execute("UPDATE person SET platform = (SELECT a.platform FROM account a WHERE a.person_id = person.id "
               "ORDER BY a.id LIMIT 1), external_id = (SELECT a.external_id FROM account a "
               "WHERE a.person_id = person.id ORDER BY a.id LIMIT 1)")
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column('platform', nullable=False)
        batch_op.alter_column('external_id', nullable=False)
        batch_op.create_unique_constraint('uq_person_platform_external', ['platform', 'external_id'])
        batch_op.drop_column('last_platform')
        batch_op.drop_column('notify_platform')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_email'))
        batch_op.drop_index(batch_op.f('ix_account_person_id'))
    op.drop_table('account')
