import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** What a labelled item is: a forum post or an external mention. */
export type LabelledItemKind = 'post' | 'mention';
/** Where a label came from: desk feedback on an alert, the console, or a bulk import. */
export type LabelSource = 'alert' | 'console' | 'import';
export type HumanSentimentLabel = 'negative' | 'neutral' | 'positive';

/** A person's sentiment label on one post or mention (see migrations/202612011130-create-sentiment-labels.ts). */
export class SentimentLabel extends Model<InferAttributes<SentimentLabel>, InferCreationAttributes<SentimentLabel>> {
  declare id: CreationOptional<number>;
  declare itemKind: LabelledItemKind;
  declare itemId: number;
  /** The text as it was judged (a later edit does not change what was labelled). */
  declare text: string;
  declare lang: string;
  declare label: HumanSentimentLabel;
  /** What the model said when the person judged it (null: the item had no analysis then). */
  declare predictedLabel: HumanSentimentLabel | null;
  declare predictedScore: number | null;
  declare source: LabelSource;
  declare alertId: number | null;
  /** Who labelled it. */
  declare userId: number;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    SentimentLabel.init(
      {
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
        userId: { type: DataTypes.INTEGER, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'sentiment_labels', updatedAt: false },
    );
  }
}
