import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** A brand mention brought in from outside (Weibo, WeChat, Douyin, Xiaohongshu, news, ...). */
export class Mention extends Model<InferAttributes<Mention>, InferCreationAttributes<Mention>> {
  declare id: CreationOptional<number>;
  declare source: string;
  declare externalId: string;
  declare authorHandle: string;
  declare authorFollowers: number | null;
  declare text: string;
  declare url: string | null;
  declare publishedAt: Date;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Mention.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        source: { type: DataTypes.STRING(32), allowNull: false },
        externalId: { type: DataTypes.STRING(200), allowNull: false },
        authorHandle: { type: DataTypes.STRING(100), allowNull: false },
        authorFollowers: { type: DataTypes.INTEGER, allowNull: true },
        text: { type: DataTypes.TEXT, allowNull: false },
        url: { type: DataTypes.STRING(2000), allowNull: true },
        publishedAt: { type: DataTypes.DATE, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'mentions', updatedAt: false },
    );
  }
}
