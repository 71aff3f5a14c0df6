/**
 * Member profiles (issue #12): a short bio and the member's privacy choices for their profile
 * page, one row per member (created on first save). Plus the indexes the profile's tabs and
 * counts read by: threads by author, likes by the member who gave them.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('member_profiles', {
    userId: { type: DataTypes.INTEGER, primaryKey: true, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    bio: { type: DataTypes.TEXT, allowNull: true },
    hideLikes: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    hideChapters: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    hideLastSeen: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('threads', ['authorId', 'id']);
  await qi.addIndex('likes', ['userId', 'id']);
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.removeIndex('likes', ['userId', 'id']);
  await qi.removeIndex('threads', ['authorId', 'id']);
  await qi.dropTable('member_profiles');
}
