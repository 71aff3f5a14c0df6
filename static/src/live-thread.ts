/**
 * A live thread page: new posts slide in (de-duplicated by id, kept in id order), a pill
 * counts new posts while the reader is scrolled up, presence and typing show under the title,
 * the reply box posts without a reload, and a reconnect replays whatever was missed.
 */
import type { PresentedPost } from '../../server/presenters';
import { send, showError } from './api';
import { announceTyping, typingIndicator } from './typing';
import type { LiveSocket } from './socket';
import { renderPost } from './post-view';
import { t } from './i18n';

const NEAR_BOTTOM_PX = 240;

/** Wire the thread page at container [data-thread-id]. */
export function followThread(socket: LiveSocket, container: HTMLElement): void {
  const threadId = container.dataset.threadId!;
  const viewer = { username: document.body.dataset.username ?? null, canReply: !!document.querySelector('[data-reply-form]') };
  const pill = document.querySelector<HTMLButtonElement>('[data-new-posts-pill]');
  const liveBar = document.querySelector<HTMLElement>('[data-live-bar]');
  const presenceEl = document.querySelector<HTMLElement>('[data-presence]');
  const typing = typingIndicator(document.querySelector<HTMLElement>('[data-typing]'));
  const unseen: HTMLElement[] = [];

  const postIds = () => [...container.querySelectorAll<HTMLElement>('[data-post-id]')].map((n) => Number(n.dataset.postId));
  const lastSeen = () => Math.max(0, Number(container.dataset.lastPostId || 0), ...postIds());
  const nearBottom = () => window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - NEAR_BOTTOM_PX;

  function showPill() {
    if (!pill) return;
    pill.textContent = t('thread.newPosts', { count: unseen.length });
    pill.hidden = unseen.length === 0;
  }

  /** Insert a post in id order unless it is already there; returns the element if new. */
  function insert(post: PresentedPost): HTMLElement | null {
    if (container.querySelector(`[data-post-id="${CSS.escape(post.id)}"]`)) return null;
    const node = renderPost(post, viewer);
    const after = [...container.querySelectorAll<HTMLElement>('[data-post-id]')].find((n) => Number(n.dataset.postId) > Number(post.id));
    container.insertBefore(node, after ?? null);
    node.classList.add('is-new');
    return node;
  }

  function arrive(post: PresentedPost) {
    const wasNearBottom = nearBottom();
    const node = insert(post);
    typing.clear(post.author.username);
    if (!node) return;
    const mine = post.author.username === viewer.username;
    if (mine || wasNearBottom) node.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    else {
      unseen.push(node);
      showPill();
    }
  }


  socket.on('post:created', ({ threadId: id, post }) => id === threadId && arrive(post));
  socket.on('post:updated', ({ threadId: id, post }) => {
    if (id !== threadId) return;
    const old = container.querySelector<HTMLElement>(`[data-post-id="${CSS.escape(post.id)}"]`);
    if (old) old.replaceWith(renderPost(post, viewer));
  });
  socket.on('post:removed', ({ threadId: id, postId }) => {
    if (id === threadId) container.querySelector(`[data-post-id="${CSS.escape(postId)}"]`)?.remove();
  });
  socket.on('post:liked', ({ threadId: id, postId, likes }) => {
    if (id !== threadId) return;
    const el = container.querySelector(`[data-post-id="${CSS.escape(postId)}"] [data-likes]`);
    if (el) el.textContent = t('post.likes', { count: likes });
  });
  socket.on('presence:updated', ({ threadId: id, viewers, members }) => {
    if (id !== threadId || !presenceEl || !liveBar) return;
    liveBar.hidden = false;
    const names = members.map((m) => m.displayName).slice(0, 8).join('、');
    presenceEl.textContent = t('thread.viewers', { count: viewers }) + (names ? ` · ${names}` : '');
  });
  socket.on('typing', ({ threadId: id, username, displayName, expiresInMs }) => {
    if (id !== threadId || username === viewer.username) return;
    typing.show(username, displayName, expiresInMs);
  });
  socket.on('thread:updated', ({ threadId: id }) => {
    // Lock state changes what the page offers; a reload shows it correctly without JS logic.
    if (id === threadId) window.location.reload();
  });
  socket.on('thread:revoked', ({ threadId: id }) => {
    if (id === threadId) window.location.reload();
  });

  // (Re)join on every connect: the replay after lastSeenPostId closes any gap.
  const join = () => socket.emit('thread:join', { threadId, lastSeenPostId: String(lastSeen()) }, () => undefined);
  socket.on('connect', join);
  if (socket.connected) join();

  pill?.addEventListener('click', () => {
    unseen[0]?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    unseen.length = 0;
    showPill();
  });
  window.addEventListener('scroll', () => {
    if (unseen.length && nearBottom()) {
      unseen.length = 0;
      showPill();
    }
  }, { passive: true });

  const form = document.querySelector<HTMLFormElement>('[data-reply-form]');
  if (form) enhanceReplyForm(socket, form, threadId, arrive);
}

/** Post replies with fetch (no reload) and announce typing, throttled. */
function enhanceReplyForm(socket: LiveSocket, form: HTMLFormElement, threadId: string, arrive: (p: PresentedPost) => void) {
  const textarea = form.querySelector<HTMLTextAreaElement>('textarea[name="body"]')!;
  const errorEl = form.querySelector<HTMLElement>('[data-reply-error]');
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  announceTyping(textarea, () => socket.emit('typing:start', { threadId }, () => undefined));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (errorEl) errorEl.hidden = true;
    const replyTo = form.querySelector<HTMLInputElement>('input[name="replyTo"]')?.value;
    if (button) button.disabled = true;
    try {
      const { post } = await send<{ post: PresentedPost }>('POST', `/api/v1/threads/${threadId}/posts`, { body: textarea.value, ...(replyTo ? { replyTo } : {}) });
      // The composer (composer.ts) empties the box, the reply-to and the saved draft.
      form.dispatchEvent(new CustomEvent('composer:sent', { bubbles: true }));
      arrive(post);
    } catch (err) {
      showError(errorEl, err);
    } finally {
      if (button) button.disabled = false;
    }
  });
}
