import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export const SANCTION_KINDS = ['warn', 'suspend', 'ban'] as const;
export type SanctionKind = (typeof SANCTION_KINDS)[number];

/** A warning, suspension or ban of a member, with who gave it and why; lifting keeps the row. */
export class Sanction extends Model<InferAttributes<Sanction>, InferCreationAttributes<Sanction>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare kind: SanctionKind;
  declare reason: string;
  /** When a suspension ends by itself; null for warnings and bans. */
  declare until: Date | null;
  declare actorId: number | null;
  declare createdAt: CreationOptional<Date>;
  declare liftedAt: Date | null;
  declare liftedById: number | null;
  declare liftReason: string | null;

  static initModel(sequelize: Sequelize) {
    Sanction.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        reason: { type: DataTypes.STRING(1000), allowNull: false },
        until: { type: DataTypes.DATE, allowNull: true },
        actorId: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE,
        liftedAt: { type: DataTypes.DATE, allowNull: true },
        liftedById: { type: DataTypes.INTEGER, allowNull: true },
        liftReason: { type: DataTypes.STRING(1000), allowNull: true },
      },
      { sequelize, tableName: 'sanctions', updatedAt: false },
    );
  }
}
