/**
 * People's sentiment labels (desk feedback, console, imports): the training examples of
 * `resonance retrain`. The text is kept as it was judged, so a later edit does not change
 * what the label says; a deleted account's posts lose their labels (services/privacy.ts).
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('sentiment_labels', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    itemKind: { type: DataTypes.STRING(16), allowNull: false },
    itemId: { type: DataTypes.INTEGER, allowNull: false },
    text: { type: DataTypes.TEXT, allowNull: false },
    lang: { type: DataTypes.STRING(8), allowNull: false },
    label: { type: DataTypes.STRING(16), allowNull: false },
    predictedLabel: { type: DataTypes.STRING(16), allowNull: true },
    predictedScore: { type: DataTypes.FLOAT, allowNull: true },
    source: { type: DataTypes.STRING(16), allowNull: false },
    alertId: { type: DataTypes.INTEGER, allowNull: true },
    userId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' } },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  // One label per annotator and item: a second judgement replaces the first.
  await qi.addIndex('sentiment_labels', ['itemKind', 'itemId', 'userId'], { unique: true });
  await qi.addIndex('sentiment_labels', ['createdAt']);
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.dropTable('sentiment_labels');
}
