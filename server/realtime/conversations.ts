/** Conversation commands: join (participants only, with replay from the client's cursor), leave, typing. */
import { z } from 'zod';
import type { ResonanceSocket } from './io';
import type { SocketLimits } from './limits';
import { command } from './ack';
import { rooms } from './rooms';
import { recheckSession } from './session';
import { conversationForParticipant, conversationMessages, markConversationRead } from '../services/conversations';
import { presentConversation, presentMessage } from '../presenters/conversation';
import { authorsOfMessages } from '../services/conversationReads';
import { issueEnglish } from '../routes/schemas';
import { Forbidden, RateLimited, Unauthenticated, Validation } from '../errors';
import { blockersOf } from '../services/blocks';
import { TYPING_TTL_MS } from './contract';
import type { Bus } from '../cluster/bus';

const MAX_REPLAY = 500;
const conversationId = z.string().regex(/^[1-9][0-9]{0,15}$/);
const joinPayload = z.object({ conversationId, lastSeenMessageId: z.union([z.string().regex(/^[0-9]{1,16}$/), z.null()]).optional() });
const leavePayload = z.object({ conversationId });

function parse<T>(schema: z.ZodType<T>, payload: unknown): T {
  const r = schema.safeParse(payload);
  if (!r.success) throw Validation(r.error.issues[0]?.path.join('.') || 'payload', r.error.issues[0] ? issueEnglish(r.error.issues[0]) : 'is invalid');
  return r.data;
}

/** Register the conversation commands on one socket. */
export function registerConversationHandlers(socket: ResonanceSocket, limits: SocketLimits, client: string, bus: Bus | null) {
  socket.on(
    'conversation:join',
    command(async (payload: unknown) => {
      const { conversationId: id, lastSeenMessageId } = parse(joinPayload, payload);
      // Fresh: a logout or ban elsewhere must not keep reading private messages.
      const actor = await recheckSession(socket, true);
      if (!actor) throw Unauthenticated();
      // conversation.read (policies): participants only; anyone else, staff included, gets not_found.
      const loaded = await conversationForParticipant(actor, Number(id));
      // Join first, then read the replay: a message committed in between arrives twice at worst.
      await socket.join(rooms.conversation(id));
      let replayed = 0;
      let truncated = false;
      if (lastSeenMessageId) {
        const missed = await conversationMessages(loaded.conversation.id, { after: Number(lastSeenMessageId), limit: MAX_REPLAY + 1, viewerId: actor.id });
        const wait = await limits.replay(client, Math.min(missed.length, MAX_REPLAY));
        if (wait > 0) {
          await socket.leave(rooms.conversation(id));
          throw RateLimited(wait);
        }
        truncated = missed.length > MAX_REPLAY;
        const shown = missed.slice(0, MAX_REPLAY);
        const authors = await authorsOfMessages(shown);
        for (const m of shown) socket.emit('message:created', { conversationId: id, message: presentMessage(m, m.authorId ? authors.get(m.authorId) : undefined), replay: true });
        replayed = shown.length;
        if (replayed) await markConversationRead(actor.id, loaded.conversation);
      }
      return { conversation: presentConversation(loaded.conversation, loaded.participants), replayed, truncated };
    }),
  );

  const typingSentAt = new Map<string, number>();
  socket.on(
    'conversation:typing',
    command(async (payload: unknown) => {
      const { conversationId: id } = parse(leavePayload, payload);
      if (!socket.data.actor) throw Unauthenticated();
      if (!socket.rooms.has(rooms.conversation(id))) throw Forbidden('Join the conversation first');
      // Renewals more often than every 2 s add nothing: the indicator lives TYPING_TTL_MS.
      if (Date.now() - (typingSentAt.get(id) ?? 0) < 2_000) return null;
      typingSentAt.set(id, Date.now());
      // Fresh: a participant removed or banned since joining says nothing more.
      const actor = await recheckSession(socket, true);
      if (!actor) throw Unauthenticated();
      const loaded = await conversationForParticipant(actor, Number(id));
      const blockers = await blockersOf(actor.id, loaded.participants.map((u) => u.id).filter((uid) => uid !== actor.id));
      const except = [...blockers].map((uid) => rooms.user(uid));
      const typing = { conversationId: id, username: actor.username, displayName: actor.displayName, expiresInMs: TYPING_TTL_MS };
      socket.to(rooms.conversation(id)).except(except).emit('conversation:typing', typing);
      bus?.publish({ k: 'emit', event: 'conversation:typing', rooms: [rooms.conversation(id)], except, payload: typing });
      return null;
    }),
  );

  socket.on(
    'conversation:leave',
    command(async (payload: unknown) => {
      const { conversationId: id } = parse(leavePayload, payload);
      await socket.leave(rooms.conversation(id));
      typingSentAt.delete(id);
      return null;
    }),
  );
}
