/** What every page needs: locale, viewer, CSRF token, unread count, navigation permissions. */
import type { Request, Response } from 'express';
import { can, type Actor } from '../../policies';
import { unreadCount } from '../../services/notifications';
import type { Render } from '../../views';
import { t, type Locale } from '../../i18n';
import { localizedMessage, type AppError } from '../../errors';
import { FALLBACK_TIME_ZONE } from '../../timeZones';

// The few strings the browser code renders itself (live posts, presence, typing).
const CLIENT_KEYS = ['post.like', 'post.likes', 'post.reply', 'post.quote', 'post.edit', 'post.flag', 'post.edited', 'post.replyingTo', 'post.floor', 'post.replyToFloor', 'post.replyToFloorOnly', 'thread.newPosts', 'thread.viewers', 'thread.typing',
  // The composer (static/src/composer.ts): quotes, reply-to, preview and draft hints.
  'composer.quoteHeader', 'composer.replyingTo', 'composer.write', 'composer.preview', 'composer.previewEmpty', 'composer.loading', 'composer.toolbar', 'composer.draftSaved', 'composer.draftRestored', 'composer.discardDraft', 'time.justNow',
  // Image uploads from the composer (static/src/composer-media.ts).
  'composer.uploading', 'composer.uploadFailed'];
const clientStringsCache = new Map<string, Record<string, string>>();
function clientStrings(locale: Locale, extra: readonly string[] = []): Record<string, string> {
  const cacheKey = `${locale}:${extra.join(',')}`;
  let strings = clientStringsCache.get(cacheKey);
  if (!strings) {
    // Keep the {placeholders}: the browser fills them.
    strings = Object.fromEntries([...CLIENT_KEYS, ...extra].map((k) => [k, t(locale, k, { count: '{count}', names: '{names}', message: '{message}' })]));
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

/** What a re-rendered form shows: messages next to their fields, and one for the form as a whole. */
export interface FormErrors {
  /** The form's own message (no field of this form is at fault: a wrong password, a lock ...). */
  error: string | null;
  /** Per input name, the message shown next to it (and referenced by its aria-describedby). */
  errors: Record<string, string>;
}

/**
 * Place an error on a form: next to `fields` when it names one of them, else at the top. Only the
 * form's own (fixed) field names become keys, never a name taken from the request.
 */
export function formErrors(locale: Locale, e: AppError, fields: readonly string[]): FormErrors {
  const text = formErrorText(locale, e);
  const path = e.code === 'validation_failed' ? e.details?.field : undefined;
  const field = path ? fields.find((f) => f === path || path.startsWith(`${f}.`)) : undefined;
  return field ? { error: null, errors: { [field]: text } } : { error: text, errors: {} };
}

/** Render a page inside the main layout with the common context. */
export async function renderPage(req: Request, res: Response, render: Render, page: string, data: Record<string, unknown>, status = 200) {
  const html = await renderPageHtml(req, render, page, data);
  res.status(status).type('html').send(html);
}

/** The HTML of a page with the common context; `overrides` replace context fields (cached pages use a CSRF placeholder). */
/** The staff links of the header: what the viewer's role opens. */
export function navFor(actor: Actor | null) {
  return {
    console: can(actor, 'console.view', null),
    desk: can(actor, 'desk.view', null),
    admin: actor?.role === 'admin',
    people: can(actor, 'people.view', null),
  };
}

export async function renderPageHtml(req: Request, render: Render, page: string, data: Record<string, unknown>, overrides: Record<string, unknown> = {}): Promise<string> {
  const actor = req.actor && !req.actor.scopes ? req.actor : null;
  return render(page, {
    ...data,
    locale: req.locale,
    htmlLang: req.locale,
    title: data.title ? `${data.title} · ${t(req.locale, 'app.name')}` : t(req.locale, 'app.name'),
    csrfToken: req.csrfToken,
    viewer: actor ? { username: actor.username, displayName: actor.displayName, role: actor.role } : null,
    // A shared render (server/slots.ts) brings its own: the count goes in the viewer's slot.
    unread: actor && !('unread' in overrides) ? await unreadCount(actor.id) : 0,
    nav: navFor(actor),
    path: req.originalUrl,
    // Pages whose browser code renders more (the console) name their extra keys.
    clientStrings: clientStrings(req.locale, (data.clientKeys as string[] | undefined) ?? []),
    otherLocale: req.locale === 'zh-CN' ? 'en' : 'zh-CN',
    // Times are written in this zone; without a chosen one the browser may re-write them in its own.
    timeZone: req.timeZone ?? FALLBACK_TIME_ZONE,
    timeZoneChosen: !!actor?.timeZone,
    ...overrides,
  });
}

/** Redirect target from a form's `next` field, only ever a local path. */
export function safeNext(value: unknown, fallback = '/'): string {
  // Browsers drop tabs and newlines from URLs, so `/\t/evil.example` would be protocol-relative.
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && !/[\u0000-\u001F\u007F]/.test(value) ? value : fallback;
}
