import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** One post in a thread. `html` is the sanitised rendering of the Markdown `body`. */
export class Post extends Model<InferAttributes<Post>, InferCreationAttributes<Post>> {
  declare id: CreationOptional<number>;
  declare threadId: number;
  declare authorId: number;
  declare body: string;
  declare html: string;
  declare replyToId: number | null;
  /** Its floor (楼) in the thread, 1 = the opening post; set at insert, kept when hidden or deleted. */
  declare floor: CreationOptional<number | null>;
  declare mentions: CreationOptional<string[]>;
  declare likeCount: CreationOptional<number>;
  declare editedAt: Date | null;
  declare deletedAt: Date | null;
  declare hiddenAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Post.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        threadId: { type: DataTypes.INTEGER, allowNull: false },
        authorId: { type: DataTypes.INTEGER, allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        html: { type: DataTypes.TEXT, allowNull: false },
        replyToId: { type: DataTypes.INTEGER, allowNull: true },
        floor: { type: DataTypes.INTEGER, allowNull: true },
        mentions: { type: DataTypes.JSON, allowNull: false, defaultValue: [] },
        likeCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        editedAt: { type: DataTypes.DATE, allowNull: true },
        deletedAt: { type: DataTypes.DATE, allowNull: true },
        hiddenAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'posts' },
    );
  }
}
