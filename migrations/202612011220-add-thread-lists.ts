/**
 * Thread lists and floors (issue #12): pinned and announcement threads, view and like counters,
 * the last replier, and each post's floor (楼). A floor is set once, at insert, from the thread's
 * `floorCount` inside the write transaction, so a hidden or deleted post keeps its number and the
 * next post never takes it. Existing posts are numbered by id within their thread, removed ones
 * included, for the same reason.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.addColumn('threads', 'pinnedAt', { type: DataTypes.DATE, allowNull: true });
  await qi.addColumn('threads', 'announcement', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  await qi.addColumn('threads', 'viewCount', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  await qi.addColumn('threads', 'likeCount', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  await qi.addColumn('threads', 'floorCount', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  await qi.addColumn('threads', 'lastPostAuthorId', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn('posts', 'floor', { type: DataTypes.INTEGER, allowNull: true });

  const q = (sql: string) => qi.sequelize.query(sql);
  // Plain correlated subqueries: the same SQL on SQLite and Postgres.
  await q(`UPDATE "posts" SET "floor" = (SELECT COUNT(*) FROM "posts" p2 WHERE p2."threadId" = "posts"."threadId" AND p2."id" <= "posts"."id")`);
  await q(`UPDATE "threads" SET "floorCount" = (SELECT COUNT(*) FROM "posts" p WHERE p."threadId" = "threads"."id")`);
  await q(`UPDATE "threads" SET "likeCount" = (SELECT COALESCE(SUM(p."likeCount"), 0) FROM "posts" p WHERE p."threadId" = "threads"."id" AND p."deletedAt" IS NULL AND p."hiddenAt" IS NULL)`);
  await q(
    `UPDATE "threads" SET "lastPostAuthorId" = (SELECT p."authorId" FROM "posts" p WHERE p."threadId" = "threads"."id" AND p."deletedAt" IS NULL AND p."hiddenAt" IS NULL ORDER BY p."id" DESC LIMIT 1)`,
  );

  await qi.addIndex('posts', ['threadId', 'floor'], { unique: true, name: 'posts_thread_floor' });
  // Keyset pagination for the "new" and "top" sorts, and the pinned block of each list.
  await qi.addIndex('threads', ['createdAt', 'id'], { name: 'threads_created_id' });
  await qi.addIndex('threads', ['pinnedAt'], { name: 'threads_pinned' });
}

export async function down({ context: qi }: { context: QueryInterface }) {
  await qi.removeIndex('threads', 'threads_pinned');
  await qi.removeIndex('threads', 'threads_created_id');
  await qi.removeIndex('posts', 'posts_thread_floor');
  await qi.removeColumn('posts', 'floor');
  for (const column of ['lastPostAuthorId', 'floorCount', 'likeCount', 'viewCount', 'announcement', 'pinnedAt']) await qi.removeColumn('threads', column);
}
