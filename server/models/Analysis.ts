import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** The stored analysis of one post or mention (staff see it; reasons explain the label). */
export class Analysis extends Model<InferAttributes<Analysis>, InferCreationAttributes<Analysis>> {
  declare docId: string;
  declare kind: 'post' | 'mention';
  declare refId: number;
  declare lang: string;
  declare label: 'negative' | 'neutral' | 'positive';
  declare score: number;
  declare confidence: number;
  declare keywords: string[];
  declare reasons: string[];
  declare complaint: string | null;
  declare analyzedAt: Date;

  static initModel(sequelize: Sequelize) {
    Analysis.init(
      {
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
      },
      { sequelize, tableName: 'analyses', timestamps: false },
    );
  }
}
