/** The listening side: external brand mentions and the stored analysis of every post and mention. */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('mentions', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    source: { type: DataTypes.STRING(32), allowNull: false },
    externalId: { type: DataTypes.STRING(200), allowNull: false },
    authorHandle: { type: DataTypes.STRING(100), allowNull: false },
    authorFollowers: { type: DataTypes.INTEGER, allowNull: true },
    text: { type: DataTypes.TEXT, allowNull: false },
    url: { type: DataTypes.STRING(2000), allowNull: true },
    publishedAt: { type: DataTypes.DATE, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('mentions', ['source', 'externalId'], { unique: true });
  await qi.addIndex('mentions', ['publishedAt']);
  await qi.createTable('analyses', {
    docId: { type: DataTypes.STRING(40), primaryKey: true },
    kind: { type: DataTypes.STRING(16), allowNull: false },
    refId: { type: DataTypes.INTEGER, allowNull: false },
    lang: { type: DataTypes.STRING(8), allowNull: false },
    label: { type: DataTypes.STRING(16), allowNull: false },
    score: { type: DataTypes.FLOAT, allowNull: false },
    confidence: { type: DataTypes.FLOAT, allowNull: false },
    keywords: { type: DataTypes.JSON, allowNull: false },
    reasons: { type: DataTypes.JSON, allowNull: false },
    complaint: { type: DataTypes.STRING(32), allowNull: true },
    analyzedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('analyses', ['kind', 'refId']);
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.dropTable('analyses');
  await qi.dropTable('mentions');
}
