import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { AlertKind, AlertStatus } from '../events';

/** A case on the alert desk (see migrations/202612011100-create-alerts.ts). */
export class Alert extends Model<InferAttributes<Alert>, InferCreationAttributes<Alert>> {
  declare id: CreationOptional<number>;
  declare kind: AlertKind;
  declare kinds: AlertKind[];
  declare severity: number;
  declare status: AlertStatus;
  declare caseKey: string;
  declare title: string;
  declare postId: number | null;
  declare mentionId: number | null;
  declare threadId: number | null;
  declare chapterId: number | null;
  declare authorId: number | null;
  declare source: string | null;
  declare term: string | null;
  declare reasons: string[];
  declare signalCount: CreationOptional<number>;
  declare lastSignalAt: Date;
  declare assigneeId: number | null;
  declare claimedAt: Date | null;
  declare respondedAt: Date | null;
  declare closedAt: Date | null;
  declare closedById: number | null;
  declare closingNote: string | null;
  declare slaDueAt: Date;
  declare escalatedAt: Date | null;
  declare feedback: 'negative' | 'not_negative' | null;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Alert.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        kind: { type: DataTypes.STRING(24), allowNull: false },
        kinds: { type: DataTypes.JSON, allowNull: false },
        severity: { type: DataTypes.INTEGER, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        caseKey: { type: DataTypes.STRING(160), allowNull: false },
        title: { type: DataTypes.STRING(300), allowNull: false },
        postId: DataTypes.INTEGER,
        mentionId: DataTypes.INTEGER,
        threadId: DataTypes.INTEGER,
        chapterId: DataTypes.INTEGER,
        authorId: DataTypes.INTEGER,
        source: DataTypes.STRING(32),
        term: DataTypes.STRING(100),
        reasons: { type: DataTypes.JSON, allowNull: false },
        signalCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        lastSignalAt: { type: DataTypes.DATE, allowNull: false },
        assigneeId: DataTypes.INTEGER,
        claimedAt: DataTypes.DATE,
        respondedAt: DataTypes.DATE,
        closedAt: DataTypes.DATE,
        closedById: DataTypes.INTEGER,
        closingNote: DataTypes.STRING(2000),
        slaDueAt: { type: DataTypes.DATE, allowNull: false },
        escalatedAt: DataTypes.DATE,
        feedback: DataTypes.STRING(16),
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'alerts' },
    );
  }
}

/** One rule firing inside a case, with its evidence (the parts of its score). */
export class AlertSignal extends Model<InferAttributes<AlertSignal>, InferCreationAttributes<AlertSignal>> {
  declare id: CreationOptional<number>;
  declare alertId: number;
  declare kind: AlertKind;
  declare severity: number;
  declare dedupeKey: string;
  declare reasons: string[];
  declare parts: Record<string, number | string>;
  declare postId: number | null;
  declare mentionId: number | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    AlertSignal.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        alertId: { type: DataTypes.INTEGER, allowNull: false },
        kind: { type: DataTypes.STRING(24), allowNull: false },
        severity: { type: DataTypes.INTEGER, allowNull: false },
        dedupeKey: { type: DataTypes.STRING(200), allowNull: false, unique: true },
        reasons: { type: DataTypes.JSON, allowNull: false },
        parts: { type: DataTypes.JSON, allowNull: false },
        postId: DataTypes.INTEGER,
        mentionId: DataTypes.INTEGER,
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'alert_signals', updatedAt: false },
    );
  }
}

/** A reply admins prepared for responders to start from (zh-CN or en). */
export class CannedResponse extends Model<InferAttributes<CannedResponse>, InferCreationAttributes<CannedResponse>> {
  declare id: CreationOptional<number>;
  declare title: string;
  declare body: string;
  declare locale: string;
  declare createdById: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    CannedResponse.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        title: { type: DataTypes.STRING(100), allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        locale: { type: DataTypes.STRING(8), allowNull: false },
        createdById: DataTypes.INTEGER,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'canned_responses' },
    );
  }
}
