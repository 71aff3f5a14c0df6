/** One Socket.IO connection per page, authenticated by the session cookie, typed by the shared contract. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/contract';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | null = null;

/** The page's socket (created on first use; reconnects by itself). */
export function liveSocket(): LiveSocket {
  if (!socket) {
    socket = io({ transports: ['websocket', 'polling'], withCredentials: true });
    // Logged out, password or role changed elsewhere: the server ends this socket and does not
    // let it reconnect as it was. A reload shows the page as the session now stands.
    socket.on('session:ended', () => window.location.reload());
  }
  // Browsers throttle timers in background tabs; reconnect promptly when the tab is seen again.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && socket && !socket.connected) socket.connect();
  });
  return socket;
}
