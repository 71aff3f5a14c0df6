import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** A tag staff gave a member (see migrations/202612011000-create-member-tags.ts). */
export class MemberTag extends Model<InferAttributes<MemberTag>, InferCreationAttributes<MemberTag>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare tag: string;
  declare addedById: number | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    MemberTag.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        tag: { type: DataTypes.STRING(32), allowNull: false },
        addedById: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'member_tags', updatedAt: false },
    );
  }
}
