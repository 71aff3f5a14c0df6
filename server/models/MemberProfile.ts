import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** What a member tells others about themselves (bio) and what of their profile they keep to themselves. */
export class MemberProfile extends Model<InferAttributes<MemberProfile>, InferCreationAttributes<MemberProfile>> {
  declare userId: number;
  /** Plain text (escaped when shown), at most PROFILE_BIO_MAX_CHARS. */
  declare bio: string | null;
  declare hideLikes: CreationOptional<boolean>;
  declare hideChapters: CreationOptional<boolean>;
  declare hideLastSeen: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    MemberProfile.init(
      {
        userId: { type: DataTypes.INTEGER, primaryKey: true },
        bio: { type: DataTypes.TEXT, allowNull: true },
        hideLikes: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        hideChapters: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        hideLastSeen: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'member_profiles' },
    );
  }
}
