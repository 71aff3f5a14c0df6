/** Account pages: login, register, logout, settings, notifications, profiles, language switch, admin. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import * as accounts from '../../services/accounts';
import * as notifications from '../../services/notifications';
import { createChapter } from '../../services/chapters';
import { createCategory } from '../../services/categories';
import { loadProfile } from '../../services/profiles';
import { listBlocks } from '../../services/blocks';
import { authorize, can, requirePerson } from '../../policies';
import { memberInsight, tagMember } from '../../services/insight';
import { presentChapter, presentSelf, presentUser, type PresentedNotification } from '../../presenters';
import { User } from '../../models';
import { toAppError } from '../../middleware/errors';
import { SESSION_COOKIE, LANG_COOKIE } from '../../middleware/cookies';
import { t, matchLocale } from '../../i18n';
import { parse, id, username, password, displayName, slug, text, role, loginName, loginPassword, shortLabel } from '../schemas';
import { presentNotifications, presentPosts } from '../present';
import { formErrorText, renderPage, safeNext } from './context';
import type { Render } from '../../views';
import type { HttpDeps } from '../deps';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const loginForm = z.object({ username: loginName, password: loginPassword });
const registerForm = z.object({ username, password, displayName: z.union([displayName, z.literal('')]).optional() });
const settingsForm = z.object({ displayName, analyticsConsent: z.enum(['on']).optional(), locale: z.enum(['zh-CN', 'en']).optional() });
const tagForm = z.object({ _csrf: z.string().optional(), tag: shortLabel });
const chapterForm = z.object({ slug, name: text(1, 100), city: text(1, 100), visibility: z.enum(['public', 'private']), description: text(0, 2000).optional() });
const categoryForm = z.object({ slug, name: text(1, 100), description: text(0, 2000).optional() });
const roleForm = z.object({ username, role, reason: text(1, 500) });

/**
 * Replies and mentions in one thread, read or unread alike, shown as one entry (Discourse's
 * "3 replies in …"), at the place of the newest; its link opens the whole group.
 */
function groupNotifications(notes: PresentedNotification[]) {
  const groups = new Map<string, { note: PresentedNotification; count: number; actors: string[] }>();
  const entries: Array<{ note: PresentedNotification; count: number; actors: string[] }> = [];
  for (const note of notes) {
    const key =
      note.kind === 'message' && note.conversationId
        ? `message:${note.conversationId}:${note.read}`
        : note.thread && notifications.GROUPED_KINDS.has(note.kind) ? `${note.kind}:${note.thread.id}:${note.read}` : null;
    const group = key ? groups.get(key) : undefined;
    if (group) {
      group.count++;
      if (note.actor && !group.actors.includes(note.actor.displayName)) group.actors.push(note.actor.displayName);
      continue;
    }
    const entry = { note, count: 1, actors: note.actor ? [note.actor.displayName] : [] };
    if (key) groups.set(key, entry);
    entries.push(entry);
  }
  return entries.map(({ note, count, actors }) => ({ ...note, count, grouped: count > 1, actorNames: actors.slice(0, 3).join('、') + (actors.length > 3 ? ' …' : '') }));
}

export function accountPages(render: Render, { limits, cookieOptions }: HttpDeps): Router {
  const r = Router();

  /** Re-render a form with its error instead of leaving the page (validation, wrong password, ...). */
  async function formError(req: Request, res: Response, page: string, err: unknown, data: Record<string, unknown>) {
    const e = toAppError(err);
    if (e.code === 'internal' || e.code === 'rate_limited') throw err;
    await renderPage(req, res, render, page, { ...data, error: formErrorText(req.locale, e) }, e.status);
  }

  r.get('/login', async (req, res) => {
    await renderPage(req, res, render, 'login', { title: t(req.locale, 'auth.login'), next: safeNext(req.query.next) });
  });

  r.post('/login', async (req, res) => {
    const next = safeNext(req.body?.next);
    try {
      const input = parse(loginForm, req.body);
      const { token } = await limits.login.attempt(req.ip ?? '', input.username, () => accounts.login(input));
      res.cookie(SESSION_COOKIE, token, cookieOptions);
      res.redirect(303, next);
    } catch (err) {
      await formError(req, res, 'login', err, { title: t(req.locale, 'auth.login'), next, username: String(req.body?.username ?? '') });
    }
  });

  r.get('/register', async (req, res) => {
    await renderPage(req, res, render, 'register', { title: t(req.locale, 'auth.register') });
  });

  r.post('/register', limits.registrations, async (req, res) => {
    try {
      const input = parse(registerForm, req.body);
      const { token } = await accounts.register({ ...input, displayName: input.displayName || undefined });
      res.cookie(SESSION_COOKIE, token, cookieOptions);
      res.redirect(303, '/');
    } catch (err) {
      await formError(req, res, 'register', err, { title: t(req.locale, 'auth.register'), username: String(req.body?.username ?? ''), displayName: String(req.body?.displayName ?? '') });
    }
  });

  r.post('/logout', async (req, res) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await accounts.logout(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/');
  });

  r.get('/lang/:locale', (req, res) => {
    const locale = matchLocale(String(req.params.locale)) ?? 'zh-CN';
    res.cookie(LANG_COOKIE, locale, { ...cookieOptions, httpOnly: false, maxAge: 365 * 86400_000 });
    res.redirect(303, safeNext(req.query.next));
  });

  r.get('/settings', async (req, res) => {
    requirePerson(req.actor);
    const user = await User.findByPk(req.actor.id);
    const blocks = (await listBlocks(req.actor.id)).map(({ user: blocked }) => ({ user: { username: blocked.username, displayName: blocked.displayName } }));
    await renderPage(req, res, render, 'settings', { title: t(req.locale, 'nav.settings'), me: presentSelf(user!), saved: req.query.saved === '1', blocks, showBlocks: true });
  });

  r.post('/settings', async (req, res) => {
    requirePerson(req.actor);
    try {
      const input = parse(settingsForm, req.body);
      await accounts.updateProfile(req.actor.id, { displayName: input.displayName, analyticsConsent: input.analyticsConsent === 'on', locale: input.locale });
      if (input.locale) res.cookie(LANG_COOKIE, input.locale, { ...cookieOptions, httpOnly: false, maxAge: 365 * 86400_000 });
      res.redirect(303, '/settings?saved=1');
    } catch (err) {
      const user = await User.findByPk(req.actor.id);
      await formError(req, res, 'settings', err, { title: t(req.locale, 'nav.settings'), me: presentSelf(user!) });
    }
  });

  r.get('/notifications', async (req, res) => {
    requirePerson(req.actor);
    const notes = await notifications.listNotifications(req.actor.id, 100);
    const presented = await presentNotifications(notes);
    // A notification with no page of its own (a sanction) is read once this page has shown it.
    const shownInFull = presented.filter((n) => !n.read && n.url === null).map((n) => Number(n.id));
    if (shownInFull.length) await notifications.markRead(req.actor.id, shownInFull);
    await renderPage(req, res, render, 'notifications', { title: t(req.locale, 'nav.notifications'), notifications: groupNotifications(presented), anyUnread: presented.some((n) => !n.read && n.url !== null) });
  });

  // Opening a notification marks it read, then leads to what it is about.
  r.get('/notifications/:id', async (req, res) => {
    requirePerson(req.actor);
    const note = await notifications.openNotification(req.actor.id, parse(id, req.params.id, 'id'));
    const [presented] = await presentNotifications([note]);
    res.redirect(303, presented.url ?? '/notifications');
  });

  r.post('/notifications/read', async (req, res) => {
    requirePerson(req.actor);
    await notifications.markRead(req.actor.id);
    res.redirect(303, '/notifications');
  });

  r.get('/u/:username', async (req, res) => {
    const profile = await loadProfile(req.actor, parse(username, req.params.username, 'username'));
    const posts = await presentPosts(profile.posts, req.actor);
    const staff = req.actor && can(req.actor, 'member.insight', null);
    await renderPage(req, res, render, 'profile', {
      title: profile.user.displayName,
      insight: staff ? await memberInsight(req.actor!, profile.user.username, req.locale) : null,
      canTag: req.actor ? can(req.actor, 'member.tag', null) : false,
      canManage: can(req.actor, 'people.view', null) && req.actor!.id !== profile.user.id,
      user: presentUser(profile.user),
      chapters: profile.chapters.map(presentChapter),
      posts: posts.map((p) => ({ ...p, threadTitle: profile.threads.get(Number(p.threadId))?.title })),
    });
  });

  r.post('/u/:username/tags', async (req, res) => {
    requirePerson(req.actor);
    const name = parse(username, req.params.username, 'username');
    await tagMember(req.actor, name, parse(tagForm, req.body).tag);
    res.redirect(303, `/u/${name}`);
  });

  r.get('/admin', async (req, res) => {
    authorize(req.actor, 'chapter.create', null);
    await renderPage(req, res, render, 'admin', { title: t(req.locale, 'nav.admin'), done: typeof req.query.done === 'string' ? req.query.done : undefined });
  });

  r.post('/admin/chapters', async (req, res) => {
    authorize(req.actor, 'chapter.create', null);
    try {
      const input = parse(chapterForm, req.body);
      await createChapter(req.actor!, input);
      res.redirect(303, `/c/${input.slug}`);
    } catch (err) {
      await formError(req, res, 'admin', err, { title: t(req.locale, 'nav.admin') });
    }
  });

  r.post('/admin/categories', async (req, res) => {
    authorize(req.actor, 'category.create', null);
    try {
      const input = parse(categoryForm, req.body);
      await createCategory(req.actor!, input);
      res.redirect(303, `/categories/${input.slug}`);
    } catch (err) {
      await formError(req, res, 'admin', err, { title: t(req.locale, 'nav.admin') });
    }
  });

  r.post('/admin/roles', async (req, res) => {
    authorize(req.actor, 'user.setRole', null);
    try {
      const input = parse(roleForm, req.body);
      await accounts.setRole(req.actor!, input.username, input.role, input.reason);
      res.redirect(303, '/admin?done=role');
    } catch (err) {
      await formError(req, res, 'admin', err, { title: t(req.locale, 'nav.admin') });
    }
  });

  return r;
}

