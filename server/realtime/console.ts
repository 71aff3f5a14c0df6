/**
 * Namespace /console: the opinion console's live stream and batched chart updates. Only
 * actors the policy lets view the console get in; the console processor emits to everyone here.
 */
import type { Namespace, Server } from 'socket.io';
import type { ConsoleClientToServerEvents, ConsoleServerToClientEvents, SocketData } from './contract';
import { can } from '../policies';
import { namespaces, rooms } from './rooms';

export type ConsoleNamespace = Namespace<ConsoleClientToServerEvents, ConsoleServerToClientEvents, Record<string, never>, SocketData>;

/** Attach /console to io, behind the shared handshake and the console.view policy. */
export function attachConsole(io: Server, handshake: (socket: never, next: (err?: Error) => void) => void): ConsoleNamespace {
  const ns = io.of(namespaces.console) as unknown as ConsoleNamespace;
  ns.use(handshake as never);
  ns.use((socket, next) => {
    const actor = socket.data.actor;
    if (!actor) return next(new Error('unauthenticated'));
    if (!can(actor, 'console.view', null)) return next(new Error('forbidden'));
    next();
  });
  ns.on('connection', (socket) => {
    // The user's room here too: a logout or role change ends console sockets as well.
    void socket.join(rooms.user(socket.data.actor!.id));
  });
  return ns;
}
