/** What every page needs: locale, viewer, CSRF token, unread count, navigation permissions. */
import type { Request, Response } from 'express';
import { can } from '../../policies';
import { unreadCount } from '../../services/notifications';
import type { Render } from '../../views';
import { t, type Locale } from '../../i18n';
import { localizedMessage, type AppError } from '../../errors';

// The few strings the browser code renders itself (live posts, presence, typing).
const CLIENT_KEYS = ['post.like', 'post.likes', 'post.reply', 'post.quote', 'post.edit', 'post.flag', 'post.edited', 'post.replyingTo', 'post.floor', 'post.replyToFloor', 'post.replyToFloorOnly', 'thread.newPosts', 'thread.viewers', 'thread.typing'];
const clientStringsCache = new Map<string, Record<string, string>>();
function clientStrings(locale: Locale, extra: readonly string[] = []): Record<string, string> {
  const cacheKey = `${locale}:${extra.join(',')}`;
  let strings = clientStringsCache.get(cacheKey);
  if (!strings) {
    // Keep the {placeholders}: the browser fills them.
    strings = Object.fromEntries([...CLIENT_KEYS, ...extra].map((k) => [k, t(locale, k, { count: '{count}', names: '{names}' })]));
    clientStringsCache.set(cacheKey, strings);
  }
  return strings;
}

/**
 * What a form shows for an error, in the page's language: the error's own translated text
 * ("用户名或密码错误。", "标题：不能为空"), else the code's sentence plus, for validation and
 * conflicts, the (English) detail a staff tool spelled out.
 */
export function formErrorText(locale: Locale, e: AppError): string {
  if (e.text) return localizedMessage(e, locale);
  return `${t(locale, `error.${e.code}`)} ${e.code === 'validation_failed' || e.code === 'conflict' ? e.message : ''}`.trim();
}

/** Render a page inside the main layout with the common context. */
export async function renderPage(req: Request, res: Response, render: Render, page: string, data: Record<string, unknown>, status = 200) {
  const html = await renderPageHtml(req, render, page, data);
  res.status(status).type('html').send(html);
}

/** The HTML of a page with the common context; `overrides` replace context fields (cached pages use a CSRF placeholder). */
export async function renderPageHtml(req: Request, render: Render, page: string, data: Record<string, unknown>, overrides: Record<string, unknown> = {}): Promise<string> {
  const actor = req.actor && !req.actor.scopes ? req.actor : null;
  return render(page, {
    ...data,
    locale: req.locale,
    htmlLang: req.locale,
    title: data.title ? `${data.title} · ${t(req.locale, 'app.name')}` : t(req.locale, 'app.name'),
    csrfToken: req.csrfToken,
    viewer: actor ? { username: actor.username, displayName: actor.displayName, role: actor.role } : null,
    unread: actor ? await unreadCount(actor.id) : 0,
    nav: {
      console: can(actor, 'console.view', null),
      desk: can(actor, 'desk.view', null),
      admin: actor?.role === 'admin',
      people: can(actor, 'people.view', null),
    },
    path: req.originalUrl,
    // Pages whose browser code renders more (the console) name their extra keys.
    clientStrings: clientStrings(req.locale, (data.clientKeys as string[] | undefined) ?? []),
    otherLocale: req.locale === 'zh-CN' ? 'en' : 'zh-CN',
    ...overrides,
  });
}

/** Redirect target from a form's `next` field, only ever a local path. */
export function safeNext(value: unknown, fallback = '/'): string {
  // Browsers drop tabs and newlines from URLs, so `/\t/evil.example` would be protocol-relative.
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && !/[\u0000-\u001F\u007F]/.test(value) ? value : fallback;
}
