import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export const WEBHOOK_FORMATS = ['slack', 'dingtalk', 'wecom', 'generic'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
export const WEBHOOK_EVENTS = ['alert.raised', 'alert.escalated'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** An outbound webhook an admin configured (see migrations/202612011110-create-webhooks.ts). */
export class Webhook extends Model<InferAttributes<Webhook>, InferCreationAttributes<Webhook>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare format: WebhookFormat;
  declare url: string;
  /** Never presented or logged: presenters say `hasSecret`. */
  declare secret: string | null;
  declare events: WebhookEvent[];
  declare minSeverity: number;
  declare active: boolean;
  declare createdById: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Webhook.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: { type: DataTypes.STRING(64), allowNull: false },
        format: { type: DataTypes.STRING(16), allowNull: false },
        url: { type: DataTypes.STRING(2048), allowNull: false },
        secret: { type: DataTypes.STRING(256), allowNull: true },
        events: {
          type: DataTypes.JSON,
          allowNull: false,
          // SQLite hands JSON back as text on some paths: always read an array.
          get() {
            const raw = this.getDataValue('events') as unknown;
            return (typeof raw === 'string' ? JSON.parse(raw) : raw) as WebhookEvent[];
          },
        },
        minSeverity: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        createdById: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'webhooks' },
    );
  }
}
