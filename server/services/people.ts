/** The admin people list: search, filters (role, standing, chapter) and keyset pages, newest first. */
import { literal, Op, type WhereOptions } from 'sequelize';
import { Membership, User } from '../models';
import type { Role } from '../models/User';
import type { Chapter } from '../models';
import { db } from '../db';
import { inList, sqlRows } from '../sql';
import type { StandingStatus } from './sanctions';

export interface PeopleQuery {
  q?: string;
  role?: Role;
  status?: StandingStatus;
  chapter?: Chapter | null;
  limit: number;
  /** The id of the last member of the previous page (pages go by descending id). */
  cursor?: number;
}

/** LIKE pattern for a substring, with the LIKE wildcards in it escaped (usernames contain `_`). */
const containsPattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One page of members matching the query, with their live post counts and the next cursor. */
export async function listPeople(query: PeopleQuery, now: Date = new Date()) {
  const and: WhereOptions<User>[] = [
    // Accounts nobody can sign in to (deleted, the seed's system user) are not people to manage.
    { passwordHash: { [Op.ne]: '!' } },
  ];
  if (query.q?.trim()) {
    const pattern = db().escape(containsPattern(query.q.trim()));
    and.push(literal(`(lower("User"."username") LIKE ${pattern} ESCAPE '\\' OR lower("User"."displayName") LIKE ${pattern} ESCAPE '\\')`) as unknown as WhereOptions<User>);
  }
  if (query.role) and.push({ role: query.role });
  if (query.status === 'active') and.push({ [Op.or]: [{ suspendedAt: null }, { suspendedUntil: { [Op.lte]: now } }] });
  if (query.status === 'suspended') and.push({ suspendedAt: { [Op.ne]: null }, suspendedUntil: { [Op.gt]: now } });
  if (query.status === 'banned') and.push({ suspendedAt: { [Op.ne]: null }, suspendedUntil: null });
  if (query.chapter) {
    const ids = await Membership.findAll({ where: { chapterId: query.chapter.id, status: 'member' }, attributes: ['userId'] });
    and.push({ id: { [Op.in]: ids.map((m) => m.userId) } });
  }
  if (query.cursor) and.push({ id: { [Op.lt]: query.cursor } });
  const rows = await User.findAll({ where: { [Op.and]: and }, order: [['id', 'DESC']], limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  return { users: page, postCounts: await postCounts(page.map((u) => u.id)), cursor: rows.length > query.limit ? String(page.at(-1)!.id) : undefined };
}

/** Live (not deleted, not hidden) posts per author. */
export async function postCounts(userIds: number[]): Promise<Map<number, number>> {
  if (userIds.length === 0) return new Map();
  const ids = inList(userIds, 1);
  const rows = await sqlRows<{ authorId: number; n: number }>(
    `SELECT "authorId", count(*) AS "n" FROM "posts" WHERE "deletedAt" IS NULL AND "hiddenAt" IS NULL AND "authorId" IN (${ids.sql}) GROUP BY "authorId"`,
    ids.params,
  );
  return new Map(rows.map((r) => [Number(r.authorId), Number(r.n)]));
}
