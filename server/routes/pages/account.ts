/** Account pages: login, register, logout, settings, notifications, profiles, language switch, admin. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import * as accounts from '../../services/accounts';
import * as notifications from '../../services/notifications';
import { createChapter } from '../../services/chapters';
import { createCategory } from '../../services/categories';
import { ACTIVITY_TABS, loadProfile, privacyOf, profileActivity, updateMemberProfile, type ActivityTab } from '../../services/profiles';
import { presentOwnProfile, presentProfile, presentProfileChapters } from '../../presenters/profile';
import { presentActivity } from '../api/profiles';
import { listBlocks } from '../../services/blocks';
import { authorize, can, requirePerson } from '../../policies';
import { memberInsight, tagMember } from '../../services/insight';
import { presentSelf, type PresentedNotification } from '../../presenters';
import { User } from '../../models';
import { toAppError } from '../../middleware/errors';
import { SESSION_COOKIE, LANG_COOKIE } from '../../middleware/cookies';
import { t, matchLocale } from '../../i18n';
import { parse, id, username, password, displayName, slug, text, role, loginName, loginPassword, shortLabel, timeZone } from '../schemas';
import { TIME_ZONES } from '../../timeZones';
import { presentNotifications, presentPosts } from '../present';
import { formErrors, renderPage, safeNext } from './context';
import type { Render } from '../../views';
import type { HttpDeps } from '../deps';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const loginForm = z.object({ username: loginName, password: loginPassword });
const registerForm = z.object({ username, password, displayName: z.union([displayName, z.literal('')]).optional() });
const profileQuery = z.object({ tab: z.enum([...ACTIVITY_TABS, 'chapters']).default('threads'), before: id.optional() });
const tagForm = z.object({ _csrf: z.string().optional(), tag: shortLabel });
const chapterForm = z.object({ slug, name: text(1, 100), city: text(1, 100), visibility: z.enum(['public', 'private']), description: text(0, 2000).optional() });
const categoryForm = z.object({ slug, name: text(1, 100), description: text(0, 2000).optional() });
// The inputs of each form an error can be shown next to.
const LOGIN_FIELDS = ['username', 'password'] as const;
const REGISTER_FIELDS = ['username', 'displayName', 'password'] as const;
const SETTINGS_FIELDS = ['displayName', 'bio', 'locale', 'timeZone'] as const;
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

export function accountPages(render: Render, { limits, cookieOptions, config }: HttpDeps): Router {
  const r = Router();
  const checkbox = z.enum(['on']).optional();
  const settingsForm = z.object({
    displayName,
    bio: text(0, config.PROFILE_BIO_MAX_CHARS).optional(),
    analyticsConsent: checkbox,
    hideLikes: checkbox,
    hideChapters: checkbox,
    hideLastSeen: checkbox,
    locale: z.enum(['zh-CN', 'en']).optional(),
    timeZone: z.union([timeZone, z.literal('')]).optional(),
  });
  /**
   * The settings page's data: the account, the bio and privacy choices, the zones to choose from;
   * after a refused submit, what was typed instead of the stored values.
   */
  async function settingsData(req: Request, typed?: Record<string, unknown>) {
    const [user, own, blocked] = await Promise.all([User.findByPk(req.actor!.id), privacyOf(req.actor!.id), listBlocks(req.actor!.id)]);
    const blocks = blocked.map(({ user: b }) => ({ user: { username: b.username, displayName: b.displayName } }));
    const profile = presentOwnProfile(own);
    const me: Record<string, unknown> = { ...presentSelf(user!), ...profile };
    if (typed) {
      if (typeof typed.bio === 'string') me.bio = typed.bio;
      if (typeof typed.timeZone === 'string') me.timeZone = typed.timeZone;
      me.displayName = String(typed.displayName ?? '');
      me.analyticsConsent = typed.analyticsConsent === 'on';
      me.privacy = { hideLikes: typed.hideLikes === 'on', hideChapters: typed.hideChapters === 'on', hideLastSeen: typed.hideLastSeen === 'on' };
    }
    return { title: t(req.locale, 'nav.settings'), me, bioMax: config.PROFILE_BIO_MAX_CHARS, timeZones: TIME_ZONES, defaultTimeZone: config.DEFAULT_TIME_ZONE, blocks, showBlocks: true };
  }

  /** Re-render a form with its error instead of leaving the page (validation, wrong password, ...). */
  async function formError(req: Request, res: Response, page: string, err: unknown, data: Record<string, unknown>, fields: readonly string[] = []) {
    const e = toAppError(err);
    if (e.code === 'internal' || e.code === 'rate_limited') throw err;
    await renderPage(req, res, render, page, { ...data, ...formErrors(req.locale, e, fields) }, e.status);
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
      await formError(req, res, 'login', err, { title: t(req.locale, 'auth.login'), next, username: String(req.body?.username ?? '') }, LOGIN_FIELDS);
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
      await formError(req, res, 'register', err, { title: t(req.locale, 'auth.register'), username: String(req.body?.username ?? ''), displayName: String(req.body?.displayName ?? '') }, REGISTER_FIELDS);
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
    await renderPage(req, res, render, 'settings', { ...(await settingsData(req)), saved: req.query.saved === '1', savedAvatar: req.query.saved === 'avatar' });
  });

  r.post('/settings', async (req, res) => {
    requirePerson(req.actor);
    try {
      const input = parse(settingsForm, req.body);
      const zone = input.timeZone === undefined ? undefined : input.timeZone || null;
      await accounts.updateProfile(req.actor.id, { displayName: input.displayName, analyticsConsent: input.analyticsConsent === 'on', locale: input.locale, timeZone: zone });
      await updateMemberProfile(req.actor.id, {
        ...(input.bio !== undefined ? { bio: input.bio } : {}),
        hideLikes: input.hideLikes === 'on',
        hideChapters: input.hideChapters === 'on',
        hideLastSeen: input.hideLastSeen === 'on',
      });
      if (input.locale) res.cookie(LANG_COOKIE, input.locale, { ...cookieOptions, httpOnly: false, maxAge: 365 * 86400_000 });
      res.redirect(303, '/settings?saved=1');
    } catch (err) {
      // What was typed stays in the form; the saved values fill the rest.
      await formError(req, res, 'settings', err, await settingsData(req, (req.body ?? {}) as Record<string, unknown>), SETTINGS_FIELDS);
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
    const name = parse(username, req.params.username, 'username');
    const q = parse(profileQuery, req.query);
    const profile = await loadProfile(req.actor, name);
    // A tab the member hides from this viewer falls back to their threads (the tab is not offered).
    const tab: ActivityTab | 'chapters' =
      (q.tab === 'likes' && !profile.likesVisible) || (q.tab === 'chapters' && profile.chapters === null) ? 'threads' : q.tab;
    const activity = tab === 'chapters' ? null : await presentActivity(await profileActivity(req.actor, name, tab, { before: q.before, limit: 20 }), req.actor);
    const staff = req.actor && can(req.actor, 'member.insight', null);
    const tabs = (['threads', 'replies', 'likes', 'chapters'] as const)
      .filter((key) => (key === 'likes' ? profile.likesVisible : key === 'chapters' ? profile.chapters !== null : true))
      .map((key) => ({
        key,
        current: key === tab,
        // Shown to those who see past the member's choice: this tab is not public.
        private: (key === 'likes' && profile.privacy.hideLikes) || (key === 'chapters' && profile.privacy.hideChapters),
        count: key === 'threads' ? profile.counts.threads : key === 'replies' ? profile.counts.replies : key === 'chapters' ? profile.chapters!.length : undefined,
      }));
    await renderPage(req, res, render, 'profile', {
      title: profile.user.displayName,
      insight: staff ? await memberInsight(req.actor!, profile.user.username, req.locale) : null,
      canTag: req.actor ? can(req.actor, 'member.tag', null) : false,
      canManage: can(req.actor, 'people.view', null) && req.actor!.id !== profile.user.id,
      isOwner: profile.isOwner,
      user: presentProfile(profile),
      chapters: presentProfileChapters(profile),
      tabs,
      tab,
      threadItems: activity && tab === 'threads' ? activity.items : null,
      postItems: activity && tab !== 'threads' ? activity.items : null,
      nextHref: activity?.next ? `/u/${profile.user.username}?tab=${tab}&before=${activity.next}` : null,
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

