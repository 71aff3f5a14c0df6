/**
 * Settings that admins change at run time (the console's watch lists, KOL thresholds): one row
 * per key with a JSON value. Environment settings stay in config.ts; these are product choices.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('settings', {
    key: { type: DataTypes.STRING(64), primaryKey: true },
    value: { type: DataTypes.JSON, allowNull: false },
    updatedById: { type: DataTypes.INTEGER, allowNull: true },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.dropTable('settings');
}
