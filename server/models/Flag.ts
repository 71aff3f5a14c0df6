import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** A member's report of a post to the moderators, with a reason. */
export class Flag extends Model<InferAttributes<Flag>, InferCreationAttributes<Flag>> {
  declare id: CreationOptional<number>;
  declare postId: number;
  declare userId: number;
  declare reason: string;
  declare status: CreationOptional<'open' | 'resolved' | 'dismissed'>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Flag.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        postId: { type: DataTypes.INTEGER, allowNull: false },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'open' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'flags' },
    );
  }
}
