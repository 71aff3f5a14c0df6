import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** A discussion: a title plus its posts, in a category and/or a chapter. */
export class Thread extends Model<InferAttributes<Thread>, InferCreationAttributes<Thread>> {
  declare id: CreationOptional<number>;
  declare title: string;
  declare authorId: number;
  declare chapterId: number | null;
  declare categoryId: number | null;
  declare postCount: CreationOptional<number>;
  declare lastPostAt: Date;
  declare locked: CreationOptional<boolean>;
  declare hiddenAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Thread.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        title: { type: DataTypes.STRING(200), allowNull: false },
        authorId: { type: DataTypes.INTEGER, allowNull: false },
        chapterId: { type: DataTypes.INTEGER, allowNull: true },
        categoryId: { type: DataTypes.INTEGER, allowNull: true },
        postCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        lastPostAt: { type: DataTypes.DATE, allowNull: false },
        locked: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        hiddenAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'threads' },
    );
  }
}
