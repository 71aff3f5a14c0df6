/** Browser entry: progressive enhancements on top of server-rendered pages (they work without it). */
import { enhanceConfirmations } from './confirm';
import { liveSocket } from './socket';
import { followNotifications } from './notifications';
import { followThread } from './live-thread';
import { followConversation } from './live-conversation';

enhanceConfirmations(document);

// A <time data-local> is rendered in the server's zone for the locale; show it in the viewer's
// own zone, which is the zone the console's custom range was picked in.
const localTime = new Intl.DateTimeFormat(document.body.dataset.locale ?? 'zh-CN', { dateStyle: 'medium', timeStyle: 'short' });
document.querySelectorAll<HTMLTimeElement>('time[data-local]').forEach((el) => {
  const at = new Date(el.dateTime);
  if (!Number.isNaN(at.getTime())) el.textContent = localTime.format(at);
});

const thread = document.querySelector<HTMLElement>('[data-thread-id]');
const live = thread?.dataset.liveEnabled === 'true';
if (document.body.dataset.username || live) {
  const socket = liveSocket();
  followNotifications(socket);
  if (thread && live) followThread(socket, thread);
  const conversation = document.querySelector<HTMLElement>('[data-conversation-id][data-live-enabled="true"]');
  if (conversation) followConversation(socket, conversation);
}
