/** Browser entry: progressive enhancements on top of server-rendered pages (they work without it). */
import { enhanceConfirmations } from './confirm';
import { liveSocket } from './socket';
import { followNotifications } from './notifications';
import { followThread } from './live-thread';
import { enhanceComposers } from './composer';
import { keepTimesFresh } from './times';
import { enhanceAvatarForm } from './avatar';
import { enhanceComposerMedia } from './composer-media';
import { followConversation } from './live-conversation';

enhanceConfirmations(document);
enhanceComposers(document);
enhanceComposerMedia(document);
enhanceAvatarForm(document);

// Relative times stay fresh; without a chosen zone, times follow the browser's own zone (the one
// the console's custom range was picked in).
keepTimesFresh();

const thread = document.querySelector<HTMLElement>('[data-thread-id]');
const live = thread?.dataset.liveEnabled === 'true';
if (document.body.dataset.username || live) {
  const socket = liveSocket();
  followNotifications(socket);
  if (thread && live) followThread(socket, thread);
  const conversation = document.querySelector<HTMLElement>('[data-conversation-id][data-live-enabled="true"]');
  if (conversation) followConversation(socket, conversation);
}
