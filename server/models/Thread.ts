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
  /** Pinned first in its chapter's or category's lists (moderators). */
  declare pinnedAt: CreationOptional<Date | null>;
  /** A global announcement: pinned first on the home page and in every list it appears in. */
  declare announcement: CreationOptional<boolean>;
  /** Page views, counted in memory and flushed in batches (services/viewCounts.ts). */
  declare viewCount: CreationOptional<number>;
  /** Likes on its live posts (for the "top" sort). */
  declare likeCount: CreationOptional<number>;
  /** Floors handed out so far: the next post gets floorCount + 1 (never reused). */
  declare floorCount: CreationOptional<number>;
  declare lastPostAuthorId: CreationOptional<number | null>;
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
        pinnedAt: { type: DataTypes.DATE, allowNull: true },
        announcement: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        viewCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        likeCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        floorCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        lastPostAuthorId: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'threads' },
    );
  }
}
