import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** An event (or one item of it) a processor gave up on after its retries; kept for inspection and replay. */
export class DeadEvent extends Model<InferAttributes<DeadEvent>, InferCreationAttributes<DeadEvent>> {
  declare id: CreationOptional<number>;
  declare processor: string;
  declare eventId: number;
  /** The one item of the event that failed (`mention:42`), or null when the whole event did. */
  declare item: CreationOptional<string | null>;
  declare error: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    DeadEvent.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        processor: { type: DataTypes.STRING(64), allowNull: false },
        eventId: { type: DataTypes.INTEGER, allowNull: false },
        item: { type: DataTypes.STRING(64), allowNull: true },
        error: { type: DataTypes.TEXT, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'dead_events', updatedAt: false },
    );
  }
}
