/**
 * The alert desk: a case (`alerts`) groups related signals (`alert_signals`: one per rule firing,
 * with its evidence), and admins keep canned responses. A case's `version` makes every workflow
 * step a conditional update, so two responders can never both claim it.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('alerts', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    kind: { type: DataTypes.STRING(24), allowNull: false },
    kinds: { type: DataTypes.JSON, allowNull: false },
    severity: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    /** What groups signals into this case while it is active: `thread:12`, `mention:7`, `spike:chapter:3`. */
    caseKey: { type: DataTypes.STRING(160), allowNull: false },
    title: { type: DataTypes.STRING(300), allowNull: false },
    postId: { type: DataTypes.INTEGER, allowNull: true },
    mentionId: { type: DataTypes.INTEGER, allowNull: true },
    threadId: { type: DataTypes.INTEGER, allowNull: true },
    chapterId: { type: DataTypes.INTEGER, allowNull: true },
    authorId: { type: DataTypes.INTEGER, allowNull: true },
    source: { type: DataTypes.STRING(32), allowNull: true },
    term: { type: DataTypes.STRING(100), allowNull: true },
    reasons: { type: DataTypes.JSON, allowNull: false },
    signalCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    lastSignalAt: { type: DataTypes.DATE, allowNull: false },
    assigneeId: { type: DataTypes.INTEGER, allowNull: true },
    claimedAt: { type: DataTypes.DATE, allowNull: true },
    respondedAt: { type: DataTypes.DATE, allowNull: true },
    closedAt: { type: DataTypes.DATE, allowNull: true },
    closedById: { type: DataTypes.INTEGER, allowNull: true },
    closingNote: { type: DataTypes.STRING(2000), allowNull: true },
    slaDueAt: { type: DataTypes.DATE, allowNull: false },
    escalatedAt: { type: DataTypes.DATE, allowNull: true },
    feedback: { type: DataTypes.STRING(16), allowNull: true },
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('alerts', ['status', 'severity']);
  await qi.addIndex('alerts', ['caseKey', 'status']);
  await qi.addIndex('alerts', ['status', 'slaDueAt']);
  await qi.createTable('alert_signals', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    alertId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'alerts', key: 'id' }, onDelete: 'CASCADE' },
    kind: { type: DataTypes.STRING(24), allowNull: false },
    severity: { type: DataTypes.INTEGER, allowNull: false },
    /** What fired, once: `negative_post:post:12`, `flag:7` (a flag id), `spike:chapter:3:29173440`. Re-delivered events add nothing. */
    dedupeKey: { type: DataTypes.STRING(200), allowNull: false, unique: true },
    reasons: { type: DataTypes.JSON, allowNull: false },
    parts: { type: DataTypes.JSON, allowNull: false },
    postId: { type: DataTypes.INTEGER, allowNull: true },
    mentionId: { type: DataTypes.INTEGER, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('alert_signals', ['alertId']);
  // The spike detectors warm up from the last day of analyses at start.
  await qi.addIndex('analyses', ['analyzedAt']);
  await qi.createTable('canned_responses', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    title: { type: DataTypes.STRING(100), allowNull: false },
    body: { type: DataTypes.TEXT, allowNull: false },
    locale: { type: DataTypes.STRING(8), allowNull: false },
    createdById: { type: DataTypes.INTEGER, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.dropTable('canned_responses');
  await qi.dropTable('alert_signals');
  await qi.dropTable('alerts');
}
