/** Keeps the header's unread badge current from notification:created, on every page. */
import type { LiveSocket } from './socket';

/** Update [data-unread-badge] whenever a notification arrives for this user. */
export function followNotifications(socket: LiveSocket): void {
  const badge = document.querySelector<HTMLElement>('[data-unread-badge]');
  if (!badge) return;
  socket.on('notification:created', ({ unread }) => {
    badge.textContent = String(unread);
    badge.classList.toggle('hidden', unread === 0);
  });
}
