/**
 * Thread lists at scale (issue #13, found on the synthetic 100k/1M-post communities): the pinned
 * block every list view asks for (announcements on the home page; pinned threads and
 * announcements in a chapter or category) scanned every thread, or every thread of the chapter,
 * to find the two or three pinned; and a chapter's "new" sort sorted all its threads per page.
 */
import { Op, type QueryInterface } from 'sequelize';

// Partial: only the few pinned rows are in them, and a query for the unpinned rest (the list
// itself, `announcement = 0`) can never pick them over the (chapterId, lastPostAt) order.
const pinned = { [Op.or]: [{ announcement: true }, { pinnedAt: { [Op.ne]: null } }] };

export async function up({ context: qi }: { context: QueryInterface }) {
  await qi.addIndex('threads', ['pinnedAt', 'id'], { name: 'threads_announcement', where: { announcement: true } });
  await qi.addIndex('threads', ['chapterId'], { name: 'threads_chapter_pinned', where: pinned });
  await qi.addIndex('threads', ['categoryId'], { name: 'threads_category_pinned', where: pinned });
  // The "new" sort of a chapter or category, by keyset: without these it sorted all their threads.
  await qi.addIndex('threads', ['chapterId', 'createdAt', 'id'], { name: 'threads_chapter_created' });
  await qi.addIndex('threads', ['categoryId', 'createdAt', 'id'], { name: 'threads_category_created' });
}

export async function down({ context: qi }: { context: QueryInterface }) {
  for (const name of ['threads_category_created', 'threads_chapter_created', 'threads_category_pinned', 'threads_chapter_pinned', 'threads_announcement']) await qi.removeIndex('threads', name);
}
