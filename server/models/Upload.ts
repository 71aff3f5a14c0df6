import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/**
 * One member's upload of an image (see migrations/202612011200-create-uploads.ts). The stored
 * variants are named by `key` (content-addressed), so two members uploading the same photo share
 * the files, each with their own row (and quota); the files go when the last row does.
 */
export class Upload extends Model<InferAttributes<Upload>, InferCreationAttributes<Upload>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare key: string;
  declare purpose: 'post' | 'avatar';
  declare bytes: number;
  declare width: number;
  declare height: number;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Upload.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        key: { type: DataTypes.STRING(48), allowNull: false },
        purpose: { type: DataTypes.STRING(16), allowNull: false },
        bytes: { type: DataTypes.INTEGER, allowNull: false },
        width: { type: DataTypes.INTEGER, allowNull: false },
        height: { type: DataTypes.INTEGER, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'uploads', updatedAt: false },
    );
  }
}
