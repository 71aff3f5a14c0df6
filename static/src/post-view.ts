/** Builds a post's DOM from its presented shape: the same structure as views/partials/post.hbs. */
import type { PresentedPost } from '../../server/presenters';
import { t } from './i18n';
import { timeElement } from './times';
import { iconElement } from './icons';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function postForm(action: string, label: string, className = 'link', icon?: string): HTMLFormElement {
  const form = el('form', { method: 'post', action, class: 'inline' });
  const csrf = el('input', { type: 'hidden', name: '_csrf', value: document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '' });
  const button = el('button', { type: 'submit', class: className }, label);
  if (icon) button.prepend(iconElement(icon), ' ');
  form.append(csrf, button);
  return form;
}

/** Render a post article. `viewer` decides which actions show (the server re-checks every one). */
export function renderPost(post: PresentedPost, viewer: { username: string | null; canReply: boolean }): HTMLElement {
  const article = el('article', { class: 'post', id: `p${post.id}`, 'data-post-id': post.id });
  const head = el('header', { class: 'post-head' });
  const initial = Array.from(post.author.displayName.trim())[0]?.toUpperCase() ?? '?';
  const avatarUrl = (post.author as { avatarUrl?: string }).avatarUrl;
  const avatar = el('a', { class: 'avatar', href: `/u/${post.author.username}`, 'aria-hidden': 'true', tabindex: '-1' }, avatarUrl ? undefined : initial);
  if (avatarUrl) avatar.append(el('img', { src: avatarUrl, alt: '', width: '96', height: '96', loading: 'lazy' }));
  head.append(avatar);
  const who = el('div');
  who.append(el('a', { class: 'author', href: `/u/${post.author.username}` }, post.author.displayName), ' ', el('span', { class: 'handle' }, `@${post.author.username}`));
  const meta = el('div', { class: 'post-meta' });
  // The floor (楼) comes in the post:created payload, so a live-arrived post shows it too.
  if (post.floor) meta.append(el('a', { class: 'floor', href: `#p${post.id}` }, t('post.floor', { floor: post.floor })), ' · ');
  const link = el('a', { href: `#p${post.id}` });
  link.append(timeElement(post.createdAt));
  meta.append(link);
  if (post.editedAt) meta.append(' ', el('span', { class: 'edited' }, `· ${t('post.edited')}`));
  if (post.replyTo) {
    const ref = el('span', { class: 'reply-ref' }, '· ');
    if (post.replyToFloor) {
      const label = post.replyToAuthor
        ? t('post.replyToFloor', { user: post.replyToAuthor.username, floor: post.replyToFloor })
        : t('post.replyToFloorOnly', { floor: post.replyToFloor });
      ref.append(el('a', { href: `#p${post.replyTo}` }, label));
    } else {
      ref.append(`${t('post.replyingTo')} `, el('a', { href: `#p${post.replyTo}` }, `#${post.replyTo}`));
    }
    meta.append(' ', ref);
  }
  who.append(meta);
  head.append(who);
  const body = el('div', { class: 'post-body' });
  body.innerHTML = post.html; // sanitised by the server (markdown.ts); never user HTML built here
  const actions = el('footer', { class: 'post-actions' });
  actions.append(el('span', { class: 'likes', 'data-likes': '' }, t('post.likes', { count: post.likes })));
  const mine = viewer.username === post.author.username;
  if (viewer.username && !mine) actions.append(postForm(`/p/${post.id}/like`, t('post.like'), 'link', 'thumbs-up'));
  if (viewer.canReply) {
    actions.append(el('a', { href: `/t/${post.threadId}?replyTo=${post.id}#reply` }, t('post.reply')));
    actions.append(el('a', { href: `/t/${post.threadId}?quote=${post.id}#reply` }, t('post.quote')));
  }
  if (mine) actions.append(el('a', { href: `/p/${post.id}/edit` }, t('post.edit')));
  if (viewer.username) actions.append(el('a', { href: `/p/${post.id}/flag`, class: 'muted' }, t('post.flag')));
  article.append(head, body, actions);
  return article;
}
