/** Batched reads for presenting messages: one query for the authors of any number of messages. */
import { Op } from 'sequelize';
import { User, type Message } from '../models';

/** The authors of these messages, by id. */
export async function authorsOfMessages(messages: Pick<Message, 'authorId'>[]): Promise<Map<number, User>> {
  const ids = [...new Set(messages.map((m) => m.authorId).filter((x): x is number => x !== null))];
  return new Map((ids.length ? await User.findAll({ where: { id: { [Op.in]: ids } } }) : []).map((u) => [u.id, u]));
}
