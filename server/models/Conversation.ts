import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** A private conversation between two or a few members; `reportedAt` set once a participant reports it. */
export class Conversation extends Model<InferAttributes<Conversation>, InferCreationAttributes<Conversation>> {
  declare id: CreationOptional<number>;
  declare creatorId: number | null;
  declare lastMessageId: number | null;
  declare lastMessageAt: Date | null;
  declare reportedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Conversation.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        creatorId: { type: DataTypes.INTEGER, allowNull: true },
        lastMessageId: { type: DataTypes.INTEGER, allowNull: true },
        lastMessageAt: { type: DataTypes.DATE, allowNull: true },
        reportedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'conversations' },
    );
  }
}

/** One member of a conversation, with how far they have read. */
export class ConversationParticipant extends Model<InferAttributes<ConversationParticipant>, InferCreationAttributes<ConversationParticipant>> {
  declare id: CreationOptional<number>;
  declare conversationId: number;
  declare userId: number;
  declare lastReadMessageId: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    ConversationParticipant.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        conversationId: { type: DataTypes.INTEGER, allowNull: false },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        lastReadMessageId: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'conversation_participants', updatedAt: false },
    );
  }
}

/** One private message (Markdown body, sanitised HTML). */
export class Message extends Model<InferAttributes<Message>, InferCreationAttributes<Message>> {
  declare id: CreationOptional<number>;
  declare conversationId: number;
  declare authorId: number | null;
  declare body: string;
  declare html: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Message.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        conversationId: { type: DataTypes.INTEGER, allowNull: false },
        authorId: { type: DataTypes.INTEGER, allowNull: true },
        body: { type: DataTypes.TEXT, allowNull: false },
        html: { type: DataTypes.TEXT, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'messages', updatedAt: false },
    );
  }
}

/** A member's report of a conversation (optionally of one message in it): it opens the conversation to moderators. */
export class ConversationReport extends Model<InferAttributes<ConversationReport>, InferCreationAttributes<ConversationReport>> {
  declare id: CreationOptional<number>;
  declare conversationId: number;
  declare messageId: number | null;
  declare reporterId: number | null;
  declare reason: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    ConversationReport.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        conversationId: { type: DataTypes.INTEGER, allowNull: false },
        messageId: { type: DataTypes.INTEGER, allowNull: true },
        reporterId: { type: DataTypes.INTEGER, allowNull: true },
        reason: { type: DataTypes.STRING(1000), allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'conversation_reports', updatedAt: false },
    );
  }
}
