/**
 * After commit: end the live connections whose access was revoked (logout, password change,
 * role change, ban). Every web process runs it for its own sockets, as it does broadcast.
 * Sockets carry the credential they authenticated with, so a logout ends exactly that session's.
 */
import type { Processor } from './dispatcher';
import type { StoredEvent } from '../events';
import type { ResonanceServer } from '../realtime/io';
import { namespaces, rooms } from '../realtime/rooms';
import type { SocketData } from '../realtime/contract';

/** Whether a socket authenticated with credentialId loses its connection to this event. */
export function endsSession(event: StoredEvent<'access.revoked'>, credentialId: number | null | undefined): boolean {
  if (event.credentialId !== null) return credentialId === event.credentialId;
  return event.keepCredentialId === null || credentialId !== event.keepCredentialId;
}

/** The sessions processor bound to one Socket.IO server. */
export function sessionsProcessor(io: ResonanceServer): Processor<'access.revoked'> {
  return {
    name: 'sessions',
    durable: false,
    handles: ['access.revoked'],
    async handle(event) {
      for (const name of Object.values(namespaces)) {
        const sockets = await io.of(name).in(rooms.user(event.userId)).fetchSockets();
        for (const s of sockets) {
          if (!endsSession(event, (s.data as SocketData).actor?.credentialId)) continue;
          s.emit('session:ended', { reason: event.reason });
          s.disconnect(true);
        }
      }
    },
  };
}
