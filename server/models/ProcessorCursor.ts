import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** How far one event processor has got through the outbox, and its retry state. */
export class ProcessorCursor extends Model<InferAttributes<ProcessorCursor>, InferCreationAttributes<ProcessorCursor>> {
  declare name: string;
  declare lastEventId: CreationOptional<number>;
  declare attempts: CreationOptional<number>;
  declare lastError: string | null;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    ProcessorCursor.init(
      {
        name: { type: DataTypes.STRING(64), primaryKey: true },
        lastEventId: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        lastError: { type: DataTypes.TEXT, allowNull: true },
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'processor_cursors', createdAt: false },
    );
  }
}
