/** What every page needs: locale, viewer, CSRF token, unread count, navigation permissions. */
import type { Request, Response } from 'express';
import { can } from '../../policies';
import { unreadCount } from '../../services/notifications';
import type { Render } from '../../views';
import { t } from '../../i18n';

/** Render a page inside the main layout with the common context. */
export async function renderPage(req: Request, res: Response, render: Render, page: string, data: Record<string, unknown>, status = 200) {
  const actor = req.actor && !req.actor.scopes ? req.actor : null;
  const html = render(page, {
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
    },
    path: req.originalUrl,
    otherLocale: req.locale === 'zh-CN' ? 'en' : 'zh-CN',
  });
  res.status(status).type('html').send(html);
}

/** Redirect target from a form's `next` field, only ever a local path. */
export function safeNext(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : fallback;
}
