/**
 * Several workers (issue #13): each durable pipeline lane (the indexer, the alert rules, the
 * notifiers, the webhooks) is owned by one process at a time through a lease, so two workers
 * share the lanes instead of both running every one, and a worker that dies hands its lanes to
 * the others (server/cluster/leases.ts). `member:<owner>` rows say which workers are alive.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('worker_leases', {
    name: { type: DataTypes.STRING(160), primaryKey: true },
    owner: { type: DataTypes.STRING(160), allowNull: false },
    // Epoch milliseconds: compared in the process, the same on SQLite and PostgreSQL.
    expiresAt: { type: DataTypes.BIGINT, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.dropTable('worker_leases');
}
