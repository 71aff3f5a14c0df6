/**
 * A processor may give up on one item of an event (one mention of an ingested batch) while the
 * rest of the event goes through: `item` names it (`mention:42`); null means the whole event.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.addColumn('dead_events', 'item', { type: DataTypes.STRING(64), allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.removeColumn('dead_events', 'item');
}
