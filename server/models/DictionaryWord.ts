import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** A word added to the segmentation dictionary by an admin. */
export class DictionaryWord extends Model<InferAttributes<DictionaryWord>, InferCreationAttributes<DictionaryWord>> {
  declare word: string;
  declare addedById: number | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    DictionaryWord.init(
      {
        word: { type: DataTypes.STRING(64), primaryKey: true },
        addedById: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'dictionary_words', updatedAt: false },
    );
  }
}
