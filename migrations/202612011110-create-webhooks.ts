/**
 * Outbound webhooks for the alert desk (DingTalk, WeCom, Slack, generic JSON) and their delivery
 * log. A delivery row is the durable retry state: the sender picks due `pending` rows by
 * (status, nextAttemptAt), so a restart resumes where it stopped. (webhookId, eventId) is unique,
 * so processing the same outbox event twice creates one delivery.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('webhooks', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.STRING(64), allowNull: false },
    format: { type: DataTypes.STRING(16), allowNull: false },
    url: { type: DataTypes.STRING(2048), allowNull: false },
    // Kept as given: signing needs the secret itself (DingTalk's 加签 and our HMAC header).
    secret: { type: DataTypes.STRING(256), allowNull: true },
    events: { type: DataTypes.JSON, allowNull: false },
    minSeverity: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    createdById: { type: DataTypes.INTEGER, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable('webhook_deliveries', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    webhookId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'webhooks', key: 'id' }, onDelete: 'CASCADE' },
    // The outbox event delivered; null for an admin's test send.
    eventId: { type: DataTypes.INTEGER, allowNull: true },
    eventType: { type: DataTypes.STRING(32), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    // When the next attempt is due (null once delivered or failed).
    nextAttemptAt: { type: DataTypes.DATE, allowNull: true },
    // When the last attempt started, so the log shows the backoff schedule.
    lastAttemptAt: { type: DataTypes.DATE, allowNull: true },
    // A sender's claim on the row while its request is in flight (several worker processes).
    lockedUntil: { type: DataTypes.DATE, allowNull: true },
    lastStatusCode: { type: DataTypes.INTEGER, allowNull: true },
    lastError: { type: DataTypes.STRING(300), allowNull: true },
    payload: { type: DataTypes.JSON, allowNull: false },
    deliveredAt: { type: DataTypes.DATE, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('webhook_deliveries', ['status', 'nextAttemptAt']);
  await qi.addIndex('webhook_deliveries', ['webhookId', 'eventId'], { unique: true });
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.dropTable('webhook_deliveries');
  await qi.dropTable('webhooks');
}
