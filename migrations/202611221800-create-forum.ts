/** The forum core: accounts, chapters, categories, threads, posts, notifications, the outbox. */
import { DataTypes, type QueryInterface } from 'sequelize';

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true };
const timestamps = {
  createdAt: { type: DataTypes.DATE, allowNull: false },
  updatedAt: { type: DataTypes.DATE, allowNull: false },
};
const fk = (table: string, nullable = false, onDelete = 'CASCADE') => ({
  type: DataTypes.INTEGER,
  allowNull: nullable,
  references: { model: table, key: 'id' },
  onDelete,
});

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('users', {
    id,
    username: { type: DataTypes.STRING(32), allowNull: false, unique: true },
    displayName: { type: DataTypes.STRING(64), allowNull: false },
    passwordHash: { type: DataTypes.STRING(255), allowNull: false },
    role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'member' },
    analyticsConsent: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    locale: { type: DataTypes.STRING(8), allowNull: true },
    suspendedAt: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.createTable('credentials', {
    id,
    kind: { type: DataTypes.STRING(16), allowNull: false },
    secretHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    userId: fk('users'),
    name: { type: DataTypes.STRING(100), allowNull: true },
    scopes: { type: DataTypes.JSON, allowNull: false },
    expiresAt: { type: DataTypes.DATE, allowNull: true },
    lastUsedAt: { type: DataTypes.DATE, allowNull: true },
    revokedAt: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('credentials', ['userId']);
  await qi.createTable('chapters', {
    id,
    slug: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(100), allowNull: false },
    city: { type: DataTypes.STRING(100), allowNull: false },
    description: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
    visibility: { type: DataTypes.STRING(16), allowNull: false },
    memberCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    ...timestamps,
  });
  await qi.createTable('memberships', {
    id,
    chapterId: fk('chapters'),
    userId: fk('users'),
    status: { type: DataTypes.STRING(16), allowNull: false },
    role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'member' },
    ...timestamps,
  });
  await qi.addIndex('memberships', ['chapterId', 'userId'], { unique: true });
  await qi.addIndex('memberships', ['userId']);
  await qi.createTable('categories', {
    id,
    slug: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(100), allowNull: false },
    description: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
    position: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    ...timestamps,
  });
  await qi.createTable('threads', {
    id,
    title: { type: DataTypes.STRING(200), allowNull: false },
    authorId: fk('users'),
    chapterId: fk('chapters', true, 'SET NULL'),
    categoryId: fk('categories', true, 'SET NULL'),
    postCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    lastPostAt: { type: DataTypes.DATE, allowNull: false },
    locked: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    hiddenAt: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('threads', ['lastPostAt']);
  await qi.addIndex('threads', ['chapterId', 'lastPostAt']);
  await qi.addIndex('threads', ['categoryId', 'lastPostAt']);
  await qi.createTable('posts', {
    id,
    threadId: fk('threads'),
    authorId: fk('users'),
    body: { type: DataTypes.TEXT, allowNull: false },
    html: { type: DataTypes.TEXT, allowNull: false },
    replyToId: fk('posts', true, 'SET NULL'),
    mentions: { type: DataTypes.JSON, allowNull: false },
    likeCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    editedAt: { type: DataTypes.DATE, allowNull: true },
    deletedAt: { type: DataTypes.DATE, allowNull: true },
    hiddenAt: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('posts', ['threadId', 'id']);
  await qi.addIndex('posts', ['authorId', 'id']);
  await qi.createTable('likes', { id, postId: fk('posts'), userId: fk('users'), ...timestamps });
  await qi.addIndex('likes', ['postId', 'userId'], { unique: true });
  await qi.createTable('flags', {
    id,
    postId: fk('posts'),
    userId: fk('users'),
    reason: { type: DataTypes.STRING(500), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'open' },
    ...timestamps,
  });
  await qi.addIndex('flags', ['postId']);
  await qi.createTable('notifications', {
    id,
    userId: fk('users'),
    kind: { type: DataTypes.STRING(32), allowNull: false },
    actorId: fk('users', true, 'SET NULL'),
    threadId: fk('threads', true, 'CASCADE'),
    postId: fk('posts', true, 'CASCADE'),
    chapterId: fk('chapters', true, 'CASCADE'),
    readAt: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('notifications', ['userId', 'id']);
  await qi.createTable('outbox_events', {
    id,
    type: { type: DataTypes.STRING(64), allowNull: false },
    payload: { type: DataTypes.JSON, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable('processor_cursors', {
    name: { type: DataTypes.STRING(64), primaryKey: true },
    lastEventId: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    lastError: { type: DataTypes.TEXT, allowNull: true },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable('dead_events', {
    id,
    processor: { type: DataTypes.STRING(64), allowNull: false },
    eventId: { type: DataTypes.INTEGER, allowNull: false },
    error: { type: DataTypes.TEXT, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable('audit_entries', {
    id,
    actorId: fk('users', true, 'SET NULL'),
    action: { type: DataTypes.STRING(64), allowNull: false },
    subjectType: { type: DataTypes.STRING(32), allowNull: false },
    subjectId: { type: DataTypes.STRING(64), allowNull: false },
    reason: { type: DataTypes.STRING(1000), allowNull: true },
    data: { type: DataTypes.JSON, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('audit_entries', ['subjectType', 'subjectId']);
}

export async function down({ context: qi }: { context: QueryInterface }) {
  for (const t of ['audit_entries', 'dead_events', 'processor_cursors', 'outbox_events', 'notifications', 'flags', 'likes', 'posts', 'threads', 'categories', 'memberships', 'chapters', 'credentials', 'users']) {
    await qi.dropTable(t);
  }
}
