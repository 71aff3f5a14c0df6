/**
 * Namespace /desk: the alert desk's live queue. Only actors the policy lets view the desk get
 * in (moderators, PR staff, admins); the desk processor emits every case change to all of them.
 */
import type { Namespace, Server } from 'socket.io';
import type { DeskClientToServerEvents, DeskServerToClientEvents, SocketData } from './contract';
import { can } from '../policies';
import { namespaces, rooms } from './rooms';

export type DeskNamespace = Namespace<DeskClientToServerEvents, DeskServerToClientEvents, Record<string, never>, SocketData>;

/** Attach /desk to io, behind the shared handshake and the desk.view policy. */
export function attachDesk(io: Server, handshake: (socket: never, next: (err?: Error) => void) => void): DeskNamespace {
  const ns = io.of(namespaces.desk) as unknown as DeskNamespace;
  ns.use(handshake as never);
  ns.use((socket, next) => {
    const actor = socket.data.actor;
    if (!actor) return next(new Error('unauthenticated'));
    if (!can(actor, 'desk.view', null)) return next(new Error('forbidden'));
    next();
  });
  ns.on('connection', (socket) => {
    // The user's room here too: a logout, role change or suspension ends desk sockets as well.
    void socket.join(rooms.user(socket.data.actor!.id));
  });
  return ns;
}
