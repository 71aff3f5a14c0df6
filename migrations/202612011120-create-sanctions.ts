/**
 * Sanctions (warn, suspend, ban) and when a suspension ends. `users.suspendedUntil` null with
 * `suspendedAt` set means banned indefinitely; a past `suspendedUntil` means the suspension is over.
 * Notifications gain `sanctionId`, so a warned member reads the reason in their notifications.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.addColumn('users', 'suspendedUntil', { type: DataTypes.DATE, allowNull: true });
  await qi.createTable('sanctions', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    userId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    kind: { type: DataTypes.STRING(16), allowNull: false },
    reason: { type: DataTypes.STRING(1000), allowNull: false },
    until: { type: DataTypes.DATE, allowNull: true },
    actorId: { type: DataTypes.INTEGER, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    liftedAt: { type: DataTypes.DATE, allowNull: true },
    liftedById: { type: DataTypes.INTEGER, allowNull: true },
    liftReason: { type: DataTypes.STRING(1000), allowNull: true },
  });
  await qi.addIndex('sanctions', ['userId', 'id']);
  await qi.addColumn('notifications', 'sanctionId', { type: DataTypes.INTEGER, allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.removeColumn('notifications', 'sanctionId');
  await qi.dropTable('sanctions');
  await qi.removeColumn('users', 'suspendedUntil');
}
