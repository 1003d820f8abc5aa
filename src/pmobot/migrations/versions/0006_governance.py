"""governance: scores, assessments, reviews, votes, decisions, projects, baselines, capacity

Adds the tables of ``pmobot.domain.models_governance``, a committee round and a
merge target on needs, and the side a committee member sits for on role grants.
Nothing existing changes meaning: every new column is empty or zero.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 23:12:28.595668
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import pmobot.domain.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('policy_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('loaded_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('digest'),
    sa.UniqueConstraint('version')
    )
    op.create_table('capacity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('person_days_per_month', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('capacity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacity_effective_from'), ['effective_from'], unique=False)

    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('need_id', 'version', name='uq_assessment_version')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_need_id'), ['need_id'], unique=False)

    op.create_table('need_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('other_need_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.ForeignKeyConstraint(['other_need_id'], ['need.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('need_id', 'other_need_id', 'kind', name='uq_need_link')
    )
    with op.batch_alter_table('need_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_link_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_link_other_need_id'), ['other_need_id'], unique=False)

    op.create_table('need_requester',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('joined_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('need_id', 'person_id', name='uq_need_requester')
    )
    with op.batch_alter_table('need_requester', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_requester_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_requester_person_id'), ['person_id'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('need_id')
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_number'), ['number'], unique=True)
        batch_op.create_index(batch_op.f('ix_project_status'), ['status'], unique=False)

    op.create_table('security_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('need_id', 'version', name='uq_security_review_version')
    )
    with op.batch_alter_table('security_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_review_need_id'), ['need_id'], unique=False)

    op.create_table('change_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('proposed', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.Column('decided_at', pmobot.domain.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'number', name='uq_change_request_number')
    )
    with op.batch_alter_table('change_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_request_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_request_status'), ['status'], unique=False)

    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=True),
    sa.Column('baseline_version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_project_id'), ['project_id'], unique=False)

    op.create_table('score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('estimate_id', sa.Integer(), nullable=True),
    sa.Column('computed_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], ),
    sa.ForeignKeyConstraint(['estimate_id'], ['estimate.id'], ),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_policy_version'), ['policy_version'], unique=False)

    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('change_request_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('votes', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=True),
    sa.Column('review_outcome', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('decided_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['change_request_id'], ['change_request.id'], ),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subject')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_need_id'), ['need_id'], unique=False)

    op.create_table('vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('change_request_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('choice', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('cast_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['change_request_id'], ['change_request.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subject', 'member_id', name='uq_vote_member')
    )
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vote_subject'), ['subject'], unique=False)

    op.create_table('baseline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('effort', sa.Float(), nullable=False),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('milestones', sa.JSON(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('change_request_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pmobot.domain.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['change_request_id'], ['change_request.id'], ),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'version', name='uq_baseline_version')
    )
    with op.batch_alter_table('baseline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_project_id'), ['project_id'], unique=False)

    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('committee_round', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_need_merged_into', 'need', ['merged_into_id'], ['id'])

    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('side', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_column('side')

    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_constraint('fk_need_merged_into', type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('committee_round')

    with op.batch_alter_table('baseline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_project_id'))

    op.drop_table('baseline')
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_subject'))
        batch_op.drop_index(batch_op.f('ix_vote_need_id'))

    op.drop_table('vote')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_need_id'))

    op.drop_table('decision')
    with op.batch_alter_table('score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_policy_version'))
        batch_op.drop_index(batch_op.f('ix_score_need_id'))

    op.drop_table('score')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_project_id'))

    op.drop_table('milestone')
    with op.batch_alter_table('change_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_request_status'))
        batch_op.drop_index(batch_op.f('ix_change_request_project_id'))

    op.drop_table('change_request')
    with op.batch_alter_table('security_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_review_need_id'))

    op.drop_table('security_review')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_status'))
        batch_op.drop_index(batch_op.f('ix_project_number'))

    op.drop_table('project')
    with op.batch_alter_table('need_requester', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_requester_person_id'))
        batch_op.drop_index(batch_op.f('ix_need_requester_need_id'))

    op.drop_table('need_requester')
    with op.batch_alter_table('need_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_link_other_need_id'))
        batch_op.drop_index(batch_op.f('ix_need_link_need_id'))

    op.drop_table('need_link')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_need_id'))

    op.drop_table('assessment')
    with op.batch_alter_table('capacity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capacity_effective_from'))

    op.drop_table('capacity')
    op.drop_table('policy_version')
