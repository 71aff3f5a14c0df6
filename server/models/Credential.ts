import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export type CredentialKind = 'session' | 'api_key';

/**
 * A bearer secret: a login session (cookie or token) or an integration API key.
 * Only a SHA-256 of the secret is stored, so a database leak leaks no usable token.
 */
export class Credential extends Model<InferAttributes<Credential>, InferCreationAttributes<Credential>> {
  declare id: CreationOptional<number>;
  declare kind: CredentialKind;
  declare secretHash: string;
  declare userId: number;
  declare name: string | null;
  declare scopes: CreationOptional<string[]>;
  declare expiresAt: Date | null;
  declare lastUsedAt: Date | null;
  declare revokedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Credential.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        secretHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        name: { type: DataTypes.STRING(100), allowNull: true },
        scopes: { type: DataTypes.JSON, allowNull: false, defaultValue: [] },
        expiresAt: { type: DataTypes.DATE, allowNull: true },
        lastUsedAt: { type: DataTypes.DATE, allowNull: true },
        revokedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'credentials' },
    );
  }
}
