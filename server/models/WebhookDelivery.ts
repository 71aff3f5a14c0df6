import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event's delivery to one webhook, with its retry state (see migrations/202612011110-create-webhooks.ts). */
export class WebhookDelivery extends Model<InferAttributes<WebhookDelivery>, InferCreationAttributes<WebhookDelivery>> {
  declare id: CreationOptional<number>;
  declare webhookId: number;
  declare eventId: number | null;
  declare eventType: string;
  declare status: DeliveryStatus;
  declare attempts: CreationOptional<number>;
  declare nextAttemptAt: Date | null;
  declare lastAttemptAt: CreationOptional<Date | null>;
  declare lockedUntil: CreationOptional<Date | null>;
  declare lastStatusCode: CreationOptional<number | null>;
  declare lastError: CreationOptional<string | null>;
  /** The request body as rendered for the webhook's format when the event arrived. */
  declare payload: object;
  declare deliveredAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    WebhookDelivery.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        webhookId: { type: DataTypes.INTEGER, allowNull: false },
        eventId: { type: DataTypes.INTEGER, allowNull: true },
        eventType: { type: DataTypes.STRING(32), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        nextAttemptAt: { type: DataTypes.DATE, allowNull: true },
        lastAttemptAt: { type: DataTypes.DATE, allowNull: true },
        lockedUntil: { type: DataTypes.DATE, allowNull: true },
        lastStatusCode: { type: DataTypes.INTEGER, allowNull: true },
        lastError: { type: DataTypes.STRING(300), allowNull: true },
        payload: {
          type: DataTypes.JSON,
          allowNull: false,
          get() {
            const raw = this.getDataValue('payload') as unknown;
            return (typeof raw === 'string' ? JSON.parse(raw) : raw) as object;
          },
        },
        deliveredAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'webhook_deliveries' },
    );
  }
}
