/**
 * Uploads (post images and avatars): one row per member and image, naming the content-addressed
 * variants in storage. `users.avatarKey` is the member's current avatar (null: the letter avatar).
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('uploads', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    userId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    key: { type: DataTypes.STRING(48), allowNull: false },
    purpose: { type: DataTypes.STRING(16), allowNull: false },
    bytes: { type: DataTypes.INTEGER, allowNull: false },
    width: { type: DataTypes.INTEGER, allowNull: false },
    height: { type: DataTypes.INTEGER, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('uploads', ['userId', 'purpose', 'key'], { unique: true });
  await qi.addIndex('uploads', ['key']);
  await qi.addColumn('users', 'avatarKey', { type: DataTypes.STRING(48), allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.removeColumn('users', 'avatarKey');
  await qi.dropTable('uploads');
}
