"""exchange: postings, conversations, reports, digest

Revision ID: 0003_exchange
Revises: 0002_surveys
Create Date: 2026-11-21 19:02:48.674305

The trigram index for the board's substring search exists only on PostgreSQL (pg_trgm, a trusted
extension the database owner may create); on SQLite it is declared with WHERE 0 and stays empty.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_exchange'
down_revision = '0002_surveys'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('exchange_digest_subscriptions',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('subscribed_by_id', sa.Integer(), nullable=True),
    sa.Column('subscribed_at', sa.DateTime(), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_exchange_digest_subscriptions_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscribed_by_id'], ['users.id'], name=op.f('fk_exchange_digest_subscriptions_subscribed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('association_id', name=op.f('pk_exchange_digest_subscriptions'))
    )

    op.create_table('exchange_postings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('offer', 'request', name='postingkind', native_enum=False, length=32), nullable=False),
    sa.Column('category', sa.Enum('rooms', 'volunteers', 'equipment', 'knowhow', 'translation', 'transport', 'event', 'funding', 'other', name='category', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('district', sa.String(length=120), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('weekdays', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.Enum('network', 'public', name='visibility', native_enum=False, length=32), nullable=False),
    sa.Column('share_contact', sa.Boolean(), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('state', sa.Enum('open', 'in_progress', 'fulfilled', 'withdrawn', 'expired', name='postingstate', native_enum=False, length=32), nullable=False),
    sa.Column('state_changed_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('fulfilled_at', sa.DateTime(), nullable=True),
    sa.Column('partner_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('moderation', sa.Enum('visible', 'hidden', 'removed', name='moderation', native_enum=False, length=32), nullable=False),
    sa.Column('moderation_reason', sa.Text(), nullable=False),
    sa.Column('moderated_at', sa.DateTime(), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_exchange_postings_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_exchange_postings_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_exchange_postings_moderated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_exchange_postings_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['partner_id'], ['associations.id'], name=op.f('fk_exchange_postings_partner_id_associations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_postings'))
    )

    with op.batch_alter_table('exchange_postings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_postings_association_id'), ['association_id'], unique=False)
        batch_op.create_index('ix_exchange_postings_board', ['municipality_id', 'created_at'], unique=False)
        batch_op.create_index('ix_exchange_postings_due', ['state', 'expires_at'], unique=False)
        batch_op.create_index('ix_exchange_postings_ending', ['municipality_id', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_postings_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('ix_exchange_postings_public', ['visibility', 'created_at'], unique=False)
        batch_op.create_index('ix_exchange_postings_search_trgm', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'}, sqlite_where=sa.text('0'))

    op.create_table('exchange_conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('poster_id', sa.Integer(), nullable=False),
    sa.Column('replier_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_message_at', sa.DateTime(), nullable=False),
    sa.Column('locked_at', sa.DateTime(), nullable=True),
    sa.Column('locked_by_id', sa.Integer(), nullable=True),
    sa.Column('lock_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['locked_by_id'], ['users.id'], name=op.f('fk_exchange_conversations_locked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_exchange_conversations_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['poster_id'], ['associations.id'], name=op.f('fk_exchange_conversations_poster_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posting_id'], ['exchange_postings.id'], name=op.f('fk_exchange_conversations_posting_id_exchange_postings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replier_id'], ['associations.id'], name=op.f('fk_exchange_conversations_replier_id_associations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_conversations')),
    sa.UniqueConstraint('posting_id', 'replier_id', name='uq_exchange_conversations_posting_replier')
    )

    with op.batch_alter_table('exchange_conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_conversations_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index('ix_exchange_conversations_poster', ['poster_id', 'last_message_at'], unique=False)
        batch_op.create_index('ix_exchange_conversations_replier', ['replier_id', 'last_message_at'], unique=False)

    op.create_table('exchange_posting_languages',
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['exchange_postings.id'], name=op.f('fk_exchange_posting_languages_posting_id_exchange_postings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('posting_id', 'code', name=op.f('pk_exchange_posting_languages'))
    )

    with op.batch_alter_table('exchange_posting_languages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_posting_languages_code'), ['code'], unique=False)

    op.create_table('exchange_posting_topics',
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['exchange_postings.id'], name=op.f('fk_exchange_posting_topics_posting_id_exchange_postings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_exchange_posting_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('posting_id', 'topic_id', name=op.f('pk_exchange_posting_topics'))
    )

    with op.batch_alter_table('exchange_posting_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_posting_topics_topic_id'), ['topic_id'], unique=False)

    op.create_table('exchange_conversation_reads',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('last_read_message_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['exchange_conversations.id'], name=op.f('fk_exchange_conversation_reads_conversation_id_exchange_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_exchange_conversation_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'conversation_id', name=op.f('pk_exchange_conversation_reads'))
    )

    with op.batch_alter_table('exchange_conversation_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_conversation_reads_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('exchange_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_exchange_messages_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_exchange_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['exchange_conversations.id'], name=op.f('fk_exchange_messages_conversation_id_exchange_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_exchange_messages_hidden_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_messages'))
    )

    with op.batch_alter_table('exchange_messages', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_messages_conversation', ['conversation_id', 'id'], unique=False)

    op.create_table('exchange_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('posting_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Enum('dismissed', 'hidden', 'removed', 'message_hidden', 'locked', name='reportresolution', native_enum=False, length=32), nullable=True),
    sa.CheckConstraint('posting_id IS NOT NULL OR message_id IS NOT NULL', name=op.f('ck_exchange_reports_target')),
    sa.ForeignKeyConstraint(['message_id'], ['exchange_messages.id'], name=op.f('fk_exchange_reports_message_id_exchange_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_exchange_reports_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['posting_id'], ['exchange_postings.id'], name=op.f('fk_exchange_reports_posting_id_exchange_postings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_exchange_reports_reporter_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_exchange_reports_resolved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_reports'))
    )

    with op.batch_alter_table('exchange_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_reports_message_id'), ['message_id'], unique=False)
        batch_op.create_index('ix_exchange_reports_open', ['municipality_id', 'resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_reports_posting_id'), ['posting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exchange_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_reports_posting_id'))
        batch_op.drop_index('ix_exchange_reports_open')
        batch_op.drop_index(batch_op.f('ix_exchange_reports_message_id'))

    op.drop_table('exchange_reports')

    with op.batch_alter_table('exchange_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_messages_conversation')

    op.drop_table('exchange_messages')

    with op.batch_alter_table('exchange_conversation_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_conversation_reads_conversation_id'))

    op.drop_table('exchange_conversation_reads')

    with op.batch_alter_table('exchange_posting_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_posting_topics_topic_id'))

    op.drop_table('exchange_posting_topics')

    with op.batch_alter_table('exchange_posting_languages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_posting_languages_code'))

    op.drop_table('exchange_posting_languages')

    with op.batch_alter_table('exchange_conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_conversations_replier')
        batch_op.drop_index('ix_exchange_conversations_poster')
        batch_op.drop_index(batch_op.f('ix_exchange_conversations_municipality_id'))

    op.drop_table('exchange_conversations')

    with op.batch_alter_table('exchange_postings', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_postings_search_trgm', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'}, sqlite_where=sa.text('0'))
        batch_op.drop_index('ix_exchange_postings_public')
        batch_op.drop_index(batch_op.f('ix_exchange_postings_partner_id'))
        batch_op.drop_index('ix_exchange_postings_ending')
        batch_op.drop_index('ix_exchange_postings_due')
        batch_op.drop_index('ix_exchange_postings_board')
        batch_op.drop_index(batch_op.f('ix_exchange_postings_association_id'))

    op.drop_table('exchange_postings')

    op.drop_table('exchange_digest_subscriptions')
    # pg_trgm stays installed: other schemas of the database may use it.
