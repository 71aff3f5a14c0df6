/** Tags staff give a member (Social CRM: 车主, 意见领袖候选, 媒体…), shown in the staff-only insight panel. */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('member_tags', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    userId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    tag: { type: DataTypes.STRING(32), allowNull: false },
    addedById: { type: DataTypes.INTEGER, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('member_tags', ['userId', 'tag'], { unique: true });
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.dropTable('member_tags');
}
