/**
 * A live conversation page: new messages appear as they are sent (de-duplicated by id, kept in
 * id order), the composer sends without a reload, and a reconnect replays what was missed.
 */
import type { PresentedMessage } from '../../server/presenters/conversation';
import { send, showError } from './api';
import { announceTyping, typingIndicator } from './typing';
import type { LiveSocket } from './socket';

/** One message as the server renders it in conversation.hbs (html is sanitised server-side). */
function renderMessage(message: PresentedMessage, viewer: string | null): HTMLElement {
  const li = document.createElement('li');
  li.className = `message${message.author.username === viewer ? ' mine' : ''}`;
  li.id = `m${message.id}`;
  li.dataset.messageId = message.id;
  const meta = document.createElement('div');
  meta.className = 'message-meta';
  const who = document.createElement('a');
  who.href = `/u/${encodeURIComponent(message.author.username)}`;
  who.textContent = message.author.displayName;
  const when = document.createElement('time');
  when.className = 'muted small';
  when.dateTime = message.createdAt;
  when.textContent = new Intl.DateTimeFormat(document.body.dataset.locale ?? 'zh-CN', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(message.createdAt));
  meta.append(who, ' ', when);
  const body = document.createElement('div');
  body.className = 'message-body post-body';
  body.innerHTML = message.html;
  li.append(meta, body);
  return li;
}

/** Wire the conversation page at list [data-conversation-id]. */
export function followConversation(socket: LiveSocket, list: HTMLElement): void {
  const conversationId = list.dataset.conversationId!;
  const viewer = document.body.dataset.username ?? null;
  const ids = () => [...list.querySelectorAll<HTMLElement>('[data-message-id]')].map((n) => Number(n.dataset.messageId));
  const lastSeen = () => Math.max(0, Number(list.dataset.lastMessageId || 0), ...ids());

  function arrive(message: PresentedMessage) {
    if (message.conversationId !== conversationId) return;
    if (list.querySelector(`[data-message-id="${CSS.escape(message.id)}"]`)) return;
    const node = renderMessage(message, viewer);
    const after = [...list.querySelectorAll<HTMLElement>('[data-message-id]')].find((n) => Number(n.dataset.messageId) > Number(message.id));
    list.insertBefore(node, after ?? null);
    node.classList.add('is-new');
    node.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  const typing = typingIndicator(document.querySelector<HTMLElement>('[data-conversation-typing]'));
  socket.on('message:created', ({ message }) => {
    typing.clear(message.author.username);
    arrive(message);
  });
  socket.on('conversation:typing', ({ conversationId: id, username, displayName, expiresInMs }) => {
    if (id === conversationId && username !== viewer) typing.show(username, displayName, expiresInMs);
  });
  // A message notification for the conversation on screen is read already: clear it (and the badge).
  socket.on('notification:created', ({ notification }) => {
    if (notification.kind !== 'message' || notification.conversationId !== conversationId || document.visibilityState !== 'visible') return;
    void markRead();
  });
  async function markRead() {
    const read = await send<{ unread: number }>('POST', `/api/v1/conversations/${conversationId}/read`, {}).catch(() => null);
    if (!read) return;
    const { unread } = read;
    const badge = document.querySelector<HTMLElement>('[data-unread-badge]');
    if (badge) {
      badge.textContent = String(unread);
      badge.classList.toggle('hidden', unread === 0);
    }
  }
  // (Re)join on every connect: the replay after the last message shown closes any gap.
  const join = () => socket.emit('conversation:join', { conversationId, lastSeenMessageId: String(lastSeen()) }, () => undefined);
  socket.on('connect', join);
  if (socket.connected) join();

  const form = document.querySelector<HTMLFormElement>('[data-message-form]');
  const textarea = form?.querySelector<HTMLTextAreaElement>('textarea[name="body"]');
  if (!form || !textarea) return;
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  const errorEl = form.querySelector<HTMLElement>('[data-message-error]');
  announceTyping(textarea, () => socket.emit('conversation:typing', { conversationId }, () => undefined));
  // Enter sends, Shift+Enter breaks the line (as chat apps do); IME composition is left alone.
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!textarea.value.trim()) return;
    if (errorEl) errorEl.hidden = true;
    if (button) button.disabled = true;
    try {
      const { message } = await send<{ message: PresentedMessage }>('POST', `/api/v1/conversations/${conversationId}/messages`, { body: textarea.value });
      textarea.value = '';
      arrive(message);
    } catch (err) {
      showError(errorEl, err);
    } finally {
      if (button) button.disabled = false;
      textarea.focus();
    }
  });
}
