/**
 * Which posts show which uploads (secure uploads): `GET /uploads/:name` serves an image used in
 * a private chapter only to those who may read such a post. Keyed by the upload's content key
 * (the files' name), not by an upload row: rows are per member, files are shared. Existing posts
 * are read once here for the references their authors uploaded themselves.
 */
import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';

// Inlined, not imported: a migration must keep meaning what it meant when it landed.
const UPLOAD_REF = /\/uploads\/([a-f0-9]{32}-\d{1,5}x\d{1,5})(?:\.thumb)?\.webp/g;
const BATCH = 500;

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.createTable('post_uploads', {
    postId: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'posts', key: 'id' }, onDelete: 'CASCADE' },
    uploadKey: { type: DataTypes.STRING(48), allowNull: false, primaryKey: true },
  });
  await qi.addIndex('post_uploads', ['uploadKey']);

  const sequelize = qi.sequelize;
  const owned = new Set(
    (await sequelize.query<{ userId: number; key: string }>(`SELECT "userId", "key" FROM "uploads" WHERE "purpose" = 'post'`, { type: QueryTypes.SELECT })).map((r) => `${r.userId}:${r.key}`),
  );
  if (owned.size === 0) return;
  let after = 0;
  for (;;) {
    const posts = await sequelize.query<{ id: number; authorId: number; body: string }>(
      `SELECT "id", "authorId", "body" FROM "posts" WHERE "id" > $1 AND "body" LIKE '%/uploads/%' ORDER BY "id" LIMIT ${BATCH}`,
      { bind: [after], type: QueryTypes.SELECT },
    );
    if (posts.length === 0) break;
    const rows: Array<{ postId: number; uploadKey: string }> = [];
    for (const p of posts) {
      const keys = new Set([...String(p.body).matchAll(UPLOAD_REF)].map((m) => m[1]));
      for (const key of keys) if (owned.has(`${p.authorId}:${key}`)) rows.push({ postId: Number(p.id), uploadKey: key });
    }
    if (rows.length) await qi.bulkInsert('post_uploads', rows);
    after = Number(posts[posts.length - 1].id);
  }
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.dropTable('post_uploads');
}
