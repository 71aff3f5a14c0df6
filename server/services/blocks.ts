/** Members blocking members: a blocked member can neither start a conversation with nor message the blocker. */
import { Op } from 'sequelize';
import { Block, User } from '../models';
import { authorize, type Actor } from '../policies';
import { withTransaction } from '../db';
import { NotFound } from '../errors';

async function userByName(username: string): Promise<User> {
  const user = await User.findOne({ where: { username } });
  if (!user) throw NotFound('User');
  return user;
}

/** Block a member (idempotent); returns the block and the blocked member. */
export async function blockMember(actor: Actor, username: string): Promise<{ block: Block; user: User }> {
  const user = await userByName(username);
  authorize(actor, 'member.block', { target: { id: user.id } });
  const block = await withTransaction(async (transaction) => {
    const [row] = await Block.findOrCreate({ where: { blockerId: actor.id, blockedId: user.id }, defaults: { blockerId: actor.id, blockedId: user.id }, transaction });
    return row;
  });
  return { block, user };
}

/** Lift a block (idempotent: unblocking someone not blocked is fine). */
export async function unblockMember(actor: Actor, username: string): Promise<void> {
  const user = await userByName(username);
  authorize(actor, 'member.block', { target: { id: user.id } });
  await withTransaction((transaction) => Block.destroy({ where: { blockerId: actor.id, blockedId: user.id }, transaction }));
}

/** The members a member has blocked, newest first, with their user rows. */
export async function listBlocks(userId: number): Promise<Array<{ block: Block; user: User }>> {
  const blocks = await Block.findAll({ where: { blockerId: userId }, order: [['id', 'DESC']] });
  const users = new Map((blocks.length ? await User.findAll({ where: { id: { [Op.in]: blocks.map((b) => b.blockedId) } } }) : []).map((u) => [u.id, u]));
  return blocks.flatMap((block) => (users.has(block.blockedId) ? [{ block, user: users.get(block.blockedId)! }] : []));
}

/** Which of `userIds` have blocked `authorId`. */
export async function blockersOf(authorId: number, userIds: number[]): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await Block.findAll({ where: { blockedId: authorId, blockerId: { [Op.in]: userIds } }, attributes: ['blockerId'] });
  return new Set(rows.map((r) => r.blockerId));
}

/** Whom `userId` blocked, and since when (to hide what those members wrote after the block). */
export async function blockedSince(userId: number): Promise<Map<number, Date>> {
  const rows = await Block.findAll({ where: { blockerId: userId }, attributes: ['blockedId', 'createdAt'] });
  return new Map(rows.map((r) => [r.blockedId, r.createdAt]));
}
