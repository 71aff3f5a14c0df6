import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export type NotificationKind = 'mention' | 'reply' | 'membership_approved' | 'flag_resolved' | 'flag_dismissed' | 'alert_escalated' | 'sanction' | 'message';

/** Something a member should see: a mention, a reply to them, an approval. */
export class Notification extends Model<InferAttributes<Notification>, InferCreationAttributes<Notification>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare kind: NotificationKind;
  declare actorId: number | null;
  declare threadId: number | null;
  declare postId: number | null;
  declare chapterId: number | null;
  /** The warning, suspension or ban this tells the member about (kind `sanction`). */
  declare sanctionId: CreationOptional<number | null>;
  /** Kind `message`: the conversation (notifications group per conversation) and the message. */
  declare conversationId: CreationOptional<number | null>;
  declare messageId: CreationOptional<number | null>;
  declare readAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Notification.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        kind: { type: DataTypes.STRING(32), allowNull: false },
        actorId: { type: DataTypes.INTEGER, allowNull: true },
        threadId: { type: DataTypes.INTEGER, allowNull: true },
        postId: { type: DataTypes.INTEGER, allowNull: true },
        chapterId: { type: DataTypes.INTEGER, allowNull: true },
        sanctionId: { type: DataTypes.INTEGER, allowNull: true },
        conversationId: { type: DataTypes.INTEGER, allowNull: true },
        messageId: { type: DataTypes.INTEGER, allowNull: true },
        readAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'notifications' },
    );
  }
}
