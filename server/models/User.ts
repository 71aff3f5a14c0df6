import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export const ROLES = ['member', 'moderator', 'pr', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A community member or staff account. */
export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare username: string;
  declare displayName: string;
  declare passwordHash: string;
  declare role: CreationOptional<Role>;
  declare analyticsConsent: CreationOptional<boolean>;
  declare locale: string | null;
  /** The member's own IANA time zone; null: the community default (or the browser's zone). */
  declare timeZone: CreationOptional<string | null>;
  declare suspendedAt: Date | null;
  /** When a suspension ends by itself; null with suspendedAt set means banned indefinitely. */
  declare suspendedUntil: CreationOptional<Date | null>;
  /** The uploaded avatar's key (see server/uploads/images.ts); null shows the letter avatar. */
  declare avatarKey: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    User.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        username: { type: DataTypes.STRING(32), allowNull: false, unique: true },
        displayName: { type: DataTypes.STRING(64), allowNull: false },
        passwordHash: { type: DataTypes.STRING(255), allowNull: false },
        role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'member' },
        analyticsConsent: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        locale: { type: DataTypes.STRING(8), allowNull: true },
        timeZone: { type: DataTypes.STRING(64), allowNull: true },
        suspendedAt: { type: DataTypes.DATE, allowNull: true },
        suspendedUntil: { type: DataTypes.DATE, allowNull: true },
        avatarKey: { type: DataTypes.STRING(48), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'users' },
    );
  }
}
