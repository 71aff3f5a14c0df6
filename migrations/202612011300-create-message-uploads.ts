/**
 * Which private messages show which uploads (secure uploads, as post_uploads for posts):
 * `GET /uploads/:name` serves an image sent in a conversation only to its uploader, the
 * conversation's participants and moderators reviewing it once reported. Keyed by the upload's
 * content key, like post_uploads. Existing messages are read once here for the references their
 * senders uploaded themselves (order receipts and ID photos already sent become private too).
 */
import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';

// Inlined, not imported: a migration must keep meaning what it meant when it landed.
const UPLOAD_REF = /\/uploads\/([a-f0-9]{32}-\d{1,5}x\d{1,5})(?:\.thumb)?\.webp/g;
const BATCH = 500;

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('message_uploads', {
    messageId: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'messages', key: 'id' }, onDelete: 'CASCADE' },
    uploadKey: { type: DataTypes.STRING(48), allowNull: false, primaryKey: true },
  });
  await qi.addIndex('message_uploads', ['uploadKey']);

  const sequelize = qi.sequelize;
  const owned = new Set(
    (await sequelize.query<{ userId: number; key: string }>(`SELECT "userId", "key" FROM "uploads" WHERE "purpose" = 'post'`, { type: QueryTypes.SELECT })).map((r) => `${r.userId}:${r.key}`),
  );
  if (owned.size === 0) return;
  let after = 0;
  for (;;) {
    const messages = await sequelize.query<{ id: number; authorId: number | null; body: string }>(
      `SELECT "id", "authorId", "body" FROM "messages" WHERE "id" > $1 AND "body" LIKE '%/uploads/%' ORDER BY "id" LIMIT ${BATCH}`,
      { bind: [after], type: QueryTypes.SELECT },
    );
    if (messages.length === 0) break;
    const rows: Array<{ messageId: number; uploadKey: string }> = [];
    for (const m of messages) {
      if (m.authorId === null) continue;
      const keys = new Set([...String(m.body).matchAll(UPLOAD_REF)].map((x) => x[1]));
      for (const key of keys) if (owned.has(`${m.authorId}:${key}`)) rows.push({ messageId: Number(m.id), uploadKey: key });
    }
    if (rows.length) await qi.bulkInsert('message_uploads', rows);
    after = Number(messages[messages.length - 1].id);
  }
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.dropTable('message_uploads');
}
