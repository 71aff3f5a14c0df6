/** The one session re-check for socket commands (threads and conversations). */
import { authenticateHash, reauthenticate } from '../services/accounts';
import { Unauthenticated } from '../errors';
import type { Actor } from '../policies';
import type { ResonanceSocket } from './io';

/**
 * Re-check the session a signed-in socket was opened with: a logout, password change or ban
 * elsewhere ends it even if this socket missed the disconnect. `fresh` skips the short cache, for
 * commands that can reach private content; memberships and role are re-read with it. Returns the
 * actor, or null for a socket opened without a session.
 */
export async function recheckSession(socket: ResonanceSocket, fresh: boolean): Promise<Actor | null> {
  const hash = socket.data.credentialHash;
  if (!hash) return null;
  const actor = fresh ? await reauthenticate(hash) : await authenticateHash(hash);
  if (!actor) {
    socket.emit('session:ended', { reason: 'logout' });
    // After the ack (sent when the throw below reaches command()), not before it.
    setImmediate(() => socket.disconnect(true));
    throw Unauthenticated('Your session has ended; sign in again');
  }
  socket.data.actor = actor;
  return actor;
}
