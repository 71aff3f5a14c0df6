/**
 * Private messages: conversations (one-to-one and small groups), their participants with a read
 * position, messages, members' blocks, and reports (the only way staff may read a conversation).
 * Notifications gain `conversationId` and `messageId` (kind `message`, grouped per conversation).
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('conversations', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    creatorId: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    lastMessageId: { type: DataTypes.INTEGER, allowNull: true },
    lastMessageAt: { type: DataTypes.DATE, allowNull: true },
    reportedAt: { type: DataTypes.DATE, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('conversations', ['reportedAt']);
  await qi.createTable('conversation_participants', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    conversationId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'conversations', key: 'id' }, onDelete: 'CASCADE' },
    userId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    lastReadMessageId: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('conversation_participants', ['conversationId', 'userId'], { unique: true });
  await qi.addIndex('conversation_participants', ['userId']);
  await qi.createTable('messages', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    conversationId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'conversations', key: 'id' }, onDelete: 'CASCADE' },
    authorId: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    body: { type: DataTypes.TEXT, allowNull: false },
    html: { type: DataTypes.TEXT, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('messages', ['conversationId', 'id']);
  await qi.createTable('blocks', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    blockerId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    blockedId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('blocks', ['blockerId', 'blockedId'], { unique: true });
  await qi.addIndex('blocks', ['blockedId']);
  await qi.createTable('conversation_reports', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    conversationId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'conversations', key: 'id' }, onDelete: 'CASCADE' },
    messageId: { type: DataTypes.INTEGER, allowNull: true },
    reporterId: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    reason: { type: DataTypes.STRING(1000), allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('conversation_reports', ['conversationId']);
  await qi.addColumn('notifications', 'conversationId', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn('notifications', 'messageId', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addIndex('notifications', ['userId', 'conversationId']);
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.removeIndex('notifications', ['userId', 'conversationId']);
  await qi.removeColumn('notifications', 'messageId');
  await qi.removeColumn('notifications', 'conversationId');
  await qi.dropTable('conversation_reports');
  await qi.dropTable('blocks');
  await qi.dropTable('messages');
  await qi.dropTable('conversation_participants');
  await qi.dropTable('conversations');
}
