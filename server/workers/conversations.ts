/**
 * After commit: push new private messages to the sockets that joined the conversation's room.
 * One processor for this audience (conversation rooms), beside the thread broadcaster. Not
 * durable, like it: each web process pushes to its own sockets, and a client that reconnects
 * replays from its last seen message. A block made after the message was written still wins:
 * the blocker's sockets are left out.
 */
import { Op } from 'sequelize';
import type { Processor } from './dispatcher';
import type { ResonanceServer } from '../realtime/io';
import { rooms } from '../realtime/rooms';
import { Message } from '../models';
import { presentMessage } from '../presenters/conversation';
import { authorsOfMessages } from '../services/conversationReads';
import { blockersOf } from '../services/blocks';

/** The conversation-room processor bound to one Socket.IO server. */
export function conversationsProcessor(io: ResonanceServer): Processor<'message.created'> {
  return {
    name: 'conversations',
    durable: false,
    handles: ['message.created'],
    async handleBatch(events) {
      const messages = new Map((await Message.findAll({ where: { id: { [Op.in]: events.map((e) => e.messageId) } } })).map((m) => [m.id, m]));
      const authors = await authorsOfMessages([...messages.values()]);
      for (const event of events) {
        const message = messages.get(event.messageId);
        if (!message) continue;
        const blockers = await blockersOf(event.authorId, event.recipientIds);
        const payload = { conversationId: String(event.conversationId), message: presentMessage(message, authors.get(event.authorId)) };
        const target = io.to(rooms.conversation(event.conversationId));
        (blockers.size ? target.except([...blockers].map((id) => rooms.user(id))) : target).emit('message:created', payload);
      }
    },
  };
}
