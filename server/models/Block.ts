import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** `blockerId` blocked `blockedId`: the blocked member cannot message the blocker. */
export class Block extends Model<InferAttributes<Block>, InferCreationAttributes<Block>> {
  declare id: CreationOptional<number>;
  declare blockerId: number;
  declare blockedId: number;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Block.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        blockerId: { type: DataTypes.INTEGER, allowNull: false },
        blockedId: { type: DataTypes.INTEGER, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'blocks', updatedAt: false },
    );
  }
}
