/**
 * The broadcast processor no longer keeps a durable cursor (each web process pushes to its own
 * sockets from a cursor in memory). A row left from before would stay behind forever and count
 * as backlog on /healthz: remove it.
 */
import type { QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.bulkDelete('processor_cursors', { name: 'broadcast' });
}

export async function down() {
  // Nothing to restore: a durable broadcast cursor would start again from the beginning.
}
