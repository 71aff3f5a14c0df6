/**
 * The alert desk's admin page (/admin/alerts, `alerts.configure`): thresholds and SLAs, the
 * official account and who is on duty, watch lists, canned responses and webhooks. Plain forms
 * that post and redirect (303), working without JavaScript. Every change goes through the same
 * service (and zod schema) as the JSON API, so both validate and audit alike; a form error
 * re-renders the page with the message next to the form that failed.
 */
import { Router, type Request, type Response } from 'express';
import { Op } from 'sequelize';
import { z } from 'zod';
import { authorize, isStaffRole, type Actor } from '../../policies';
import { User } from '../../models';
import { WEBHOOK_EVENTS, WEBHOOK_FORMATS } from '../../models/Webhook';
import { alertSettingBounds, alertSettings, alertSettingsInput, deleteWatchList, parseTerms, saveWatchList, updateAlertSettings } from '../../services/alertSettings';
import { CANNED_LOCALES, cannedInput, createCannedResponse, deleteCannedResponse, listCannedResponses, presentCanned, updateCannedResponse } from '../../services/cannedResponses';
import { allowsPrivateNetworks, createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, updateWebhook, webhookCreateInput } from '../../services/webhooks';
import { deliverySettings, sendTestDelivery } from '../../services/webhookDelivery';
import { presentDelivery, presentWebhook } from '../../presenters/webhook';
import { CRISIS_TERMS, type WatchCategory } from '../../../search/alerts/watchwords';
import { toAppError } from '../../middleware/errors';
import { localizedMessage, type AppError } from '../../errors';
import { t, type Locale } from '../../i18n';
import { id, parse } from '../schemas';
import { renderPage } from './context';
import type { Render } from '../../views';
import type { HttpDeps } from '../deps';

type Section = 'settings' | 'watch' | 'canned' | 'webhooks';
type Form = Record<string, unknown>;

const DONE = new Set(['settings', 'watchAdded', 'watchSaved', 'watchDeleted', 'cannedAdded', 'cannedSaved', 'cannedDeleted', 'webhookAdded', 'webhookActivated', 'webhookDeactivated', 'webhookDeleted', 'webhookTested']);
const CRISIS_CATEGORIES: readonly WatchCategory[] = ['safety', 'health', 'legal', 'media', 'data'];
const DELIVERIES_SHOWN = 10;
const activeForm = z.object({ active: z.enum(['0', '1']) });
// The list to delete is the one the form was drawn for (`original`), whatever its key field now says.
const deleteListForm = z.object({ original: z.string().max(64) });

/** One form field as a string ('' when absent or repeated oddly). */
const str = (form: Form, name: string): string => (typeof form[name] === 'string' ? (form[name] as string) : '');
/** A checkbox group: absent, one value, or several. */
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
/** A number typed in a form, or the raw text for the schema to refuse ('' or '1e3' are not numbers here). */
const num = (v: unknown): unknown => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);

// Field paths (as the services' errors name them) and the label each form shows for them.
const FIELD_LABELS = new Map<string, string>([
  ['thresholds.negativeMinSeverity', 'alertAdmin.negativeMinSeverity'],
  ['thresholds.kolTrendDrop', 'alertAdmin.kolTrendDrop'],
  ['thresholds.flagEscalateAt', 'alertAdmin.flagEscalateAt'],
  ['sla.critical', 'alertAdmin.sla.critical'],
  ['sla.high', 'alertAdmin.sla.high'],
  ['sla.normal', 'alertAdmin.sla.normal'],
  ['officialUsername', 'alertAdmin.official'],
  ['onDuty', 'alertAdmin.onDuty'],
  ['key', 'alertAdmin.watchKey'],
  ['terms', 'alertAdmin.watchTerms'],
  ['title', 'alertAdmin.cannedTitle'],
  ['body', 'alertAdmin.cannedBody'],
  ['locale', 'alertAdmin.cannedLocale'],
  ['name', 'alertAdmin.webhookName'],
  ['format', 'alertAdmin.webhookFormat'],
  ['url', 'alertAdmin.webhookUrl'],
  ['secret', 'alertAdmin.webhookSecret'],
  ['events', 'alertAdmin.webhookEvents'],
  ['minSeverity', 'alertAdmin.webhookMinSeverity'],
]);

/** The settings form's fields as alertSettingsInput takes them. */
function settingsPatch(form: Form): unknown {
  const official = str(form, 'officialUsername').trim();
  return {
    thresholds: {
      negativeMinSeverity: num(form['thresholds.negativeMinSeverity']),
      kolTrendDrop: num(form['thresholds.kolTrendDrop']),
      flagEscalateAt: num(form['thresholds.flagEscalateAt']),
    },
    sla: { critical: num(form['sla.critical']), high: num(form['sla.high']), normal: num(form['sla.normal']) },
    officialUsername: official === '' ? null : official,
    roundRobin: form.roundRobin === 'on',
    onDuty: list(form.onDuty),
  };
}

/** The new-webhook form's fields as webhookCreateInput takes them (an empty secret means none). */
function webhookFields(form: Form): unknown {
  const secret = str(form, 'secret');
  return {
    name: str(form, 'name'),
    format: str(form, 'format'),
    url: str(form, 'url').trim(),
    ...(secret ? { secret } : {}),
    events: list(form.events),
    minSeverity: num(form.minSeverity),
    active: true,
  };
}

export function alertAdminPages(render: Render, { config }: HttpDeps): Router {
  const r = Router();
  const allowPrivate = allowsPrivateNetworks(config);
  const bounds = alertSettingBounds();
  const severity = webhookCreateInput.shape.minSeverity.unwrap();
  const severityBounds = { min: severity.minValue ?? 1, max: severity.maxValue ?? 10 };

  /** The message shown for a failed form: which field, and what is wrong with it, in the page's language. */
  function errorText(locale: Locale, e: AppError, form: Form): string {
    if (e.code === 'conflict') return e.text ? localizedMessage(e, locale) : `${t(locale, 'error.conflict')} ${e.message}`;
    if (e.code === 'not_found') return t(locale, 'alertAdmin.error.gone');
    if (e.code !== 'validation_failed') return t(locale, `error.${e.code}`);
    const field = e.details?.field ?? '';
    const labelKey = FIELD_LABELS.get(field) ?? FIELD_LABELS.get(field.split('.')[0]);
    const label = labelKey ? t(locale, labelKey) : field;
    const [group, name] = field.split('.') as [string, string | undefined];
    const range = group === 'thresholds' || group === 'sla' ? (bounds[group] as Record<string, { min: number; max: number }>)[name ?? ''] : field === 'minSeverity' ? severityBounds : undefined;
    if (range) return t(locale, 'alertAdmin.error.range', { field: label, min: range.min, max: range.max });
    if (field === 'officialUsername') return t(locale, 'alertAdmin.error.notStaff', { field: label, name: str(form, 'officialUsername').trim() });
    if (field === 'onDuty') return t(locale, 'alertAdmin.error.notStaffList', { field: label });
    const detail = e.text ? t(locale, e.text.key, e.text.vars) : e.message.startsWith(`${field}: `) ? e.message.slice(field.length + 2) : e.message;
    return `${t(locale, 'error.validation_failed')} ${label}: ${detail}`;
  }

  async function page(req: Request, res: Response, failed?: { section: Section; message: string; form: Form; status: number }) {
    const [settings, staff, canned, hooks] = await Promise.all([
      alertSettings(),
      User.findAll({ where: { role: { [Op.in]: ['moderator', 'pr', 'admin'] }, suspendedAt: null }, order: [['username', 'ASC']], limit: 500 }),
      listCannedResponses(),
      listWebhooks(),
    ]);
    const deliveries = await Promise.all(hooks.map((h) => listDeliveries(h.id, DELIVERIES_SHOWN)));
    // After a failed settings form, show what was typed (so the admin can fix it), not what is stored.
    const typed = failed?.section === 'settings' ? failed.form : null;
    const onDuty = new Set(typed ? list(typed.onDuty) : settings.onDuty);
    const officialName = typed ? str(typed, 'officialUsername') : (settings.officialUsername ?? '');
    // A stored official account can stop being usable later (demoted, suspended): say so.
    const official = settings.officialUsername ? await User.findOne({ where: { username: settings.officialUsername } }) : null;
    const officialProblem = settings.officialUsername && (!official || !isStaffRole(official.role) || official.suspendedAt) ? settings.officialUsername : null;
    const testedId = typeof req.query.tested === 'string' ? req.query.tested : null;
    const done = typeof req.query.done === 'string' && DONE.has(req.query.done) ? req.query.done : null;
    await renderPage(req, res, render, 'alert-admin', {
      title: t(req.locale, 'alertAdmin.title'),
      wide: true,
      done,
      failed: failed ? { section: failed.section, message: failed.message, [failed.section]: true } : null,
      form: failed?.form ?? {},
      bounds,
      severityBounds,
      values: {
        negativeMinSeverity: typed ? str(typed, 'thresholds.negativeMinSeverity') : settings.thresholds.negativeMinSeverity,
        kolTrendDrop: typed ? str(typed, 'thresholds.kolTrendDrop') : settings.thresholds.kolTrendDrop,
        flagEscalateAt: typed ? str(typed, 'thresholds.flagEscalateAt') : settings.thresholds.flagEscalateAt,
        critical: typed ? str(typed, 'sla.critical') : settings.sla.critical,
        high: typed ? str(typed, 'sla.high') : settings.sla.high,
        normal: typed ? str(typed, 'sla.normal') : settings.sla.normal,
        officialUsername: officialName,
        roundRobin: typed ? typed.roundRobin === 'on' : settings.roundRobin,
      },
      officialProblem,
      staff: staff.map((u) => ({ username: u.username, displayName: u.displayName, role: u.role, onDuty: onDuty.has(u.username) })),
      crisis: CRISIS_CATEGORIES.map((category) => ({ category, terms: CRISIS_TERMS.filter((w) => w.category === category).map((w) => w.term) })),
      watchLists: settings.watchLists.map((l) => ({ key: l.key, terms: l.terms, termsText: l.terms.join('\n') })),
      canned: CANNED_LOCALES.map((locale) => ({ locale, items: canned.filter((c) => c.locale === locale).map(presentCanned) })),
      cannedLocales: CANNED_LOCALES,
      webhooks: hooks.map((h, i) => ({ ...presentWebhook(h), deliveries: deliveries[i].map(presentDelivery), open: testedId === String(h.id) })),
      formats: WEBHOOK_FORMATS,
      events: WEBHOOK_EVENTS.map((name) => ({ name, checked: failed?.section === 'webhooks' && failed.form.add === '1' ? list(failed.form.events).includes(name) : true })),
    }, failed?.status ?? 200);
  }

  /** The admin (401 anonymous, 403 anyone else): checked before any form is read. */
  function admin(req: Request): Actor {
    authorize(req.actor, 'alerts.configure', null);
    return req.actor!;
  }

  /** Run a form's change; on success back to the page (303), on a form error the page again with the message. */
  async function change(req: Request, res: Response, section: Section, run: (actor: Actor, form: Form) => Promise<string | { done: string; tested: number }>) {
    const actor = admin(req);
    const form = (req.body ?? {}) as Form;
    try {
      const outcome = await run(actor, form);
      const query = typeof outcome === 'string' ? `done=${outcome}` : `done=${outcome.done}&tested=${outcome.tested}`;
      res.redirect(303, `/admin/alerts?${query}#${section}`);
    } catch (err) {
      const e = toAppError(err);
      if (e.code === 'internal' || e.code === 'rate_limited' || e.code === 'unauthenticated' || e.code === 'forbidden') throw err;
      await page(req, res, { section, message: errorText(req.locale, e, form), form, status: e.status });
    }
  }

  r.get('/admin/alerts', async (req, res) => {
    admin(req);
    await page(req, res);
  });

  r.post('/admin/alerts/settings', (req, res) =>
    change(req, res, 'settings', async (actor, form) => {
      await updateAlertSettings(actor, parse(alertSettingsInput, settingsPatch(form)));
      return 'settings';
    }),
  );

  r.post('/admin/alerts/watch-lists', (req, res) =>
    change(req, res, 'watch', async (actor, form) => {
      await saveWatchList(actor, { key: str(form, 'key'), terms: parseTerms(str(form, 'terms')) });
      return 'watchAdded';
    }),
  );
  r.post('/admin/alerts/watch-lists/update', (req, res) =>
    change(req, res, 'watch', async (actor, form) => {
      await saveWatchList(actor, { key: str(form, 'key'), terms: parseTerms(str(form, 'terms')) }, str(form, 'original'));
      return 'watchSaved';
    }),
  );
  r.post('/admin/alerts/watch-lists/delete', (req, res) =>
    change(req, res, 'watch', async (actor, form) => {
      await deleteWatchList(actor, parse(deleteListForm, form).original);
      return 'watchDeleted';
    }),
  );

  r.post('/admin/alerts/canned', (req, res) =>
    change(req, res, 'canned', async (actor, form) => {
      await createCannedResponse(actor, parse(cannedInput, { title: str(form, 'title'), body: str(form, 'body'), locale: str(form, 'locale') }));
      return 'cannedAdded';
    }),
  );
  r.post('/admin/alerts/canned/:id', (req, res) =>
    change(req, res, 'canned', async (actor, form) => {
      const cannedId = parse(id, req.params.id, 'id');
      await updateCannedResponse(actor, cannedId, parse(cannedInput, { title: str(form, 'title'), body: str(form, 'body'), locale: str(form, 'locale') }));
      return 'cannedSaved';
    }),
  );
  r.post('/admin/alerts/canned/:id/delete', (req, res) =>
    change(req, res, 'canned', async (actor) => {
      await deleteCannedResponse(actor, parse(id, req.params.id, 'id'));
      return 'cannedDeleted';
    }),
  );

  r.post('/admin/alerts/webhooks', (req, res) =>
    change(req, res, 'webhooks', async (actor, form) => {
      await createWebhook(actor, parse(webhookCreateInput, webhookFields(form)), { allowPrivate });
      return 'webhookAdded';
    }),
  );
  r.post('/admin/alerts/webhooks/:id/active', (req, res) =>
    change(req, res, 'webhooks', async (actor, form) => {
      const active = parse(activeForm, form).active === '1';
      await updateWebhook(actor, parse(id, req.params.id, 'id'), { active }, { allowPrivate });
      return active ? 'webhookActivated' : 'webhookDeactivated';
    }),
  );
  r.post('/admin/alerts/webhooks/:id/delete', (req, res) =>
    change(req, res, 'webhooks', async (actor) => {
      await deleteWebhook(actor, parse(id, req.params.id, 'id'));
      return 'webhookDeleted';
    }),
  );
  // Sends once, now (no retries), as the API's test does; the page opens that webhook's log.
  r.post('/admin/alerts/webhooks/:id/test', (req, res) =>
    change(req, res, 'webhooks', async () => {
      const hook = await getWebhook(parse(id, req.params.id, 'id'));
      await sendTestDelivery(hook, deliverySettings(config), config.PUBLIC_URL);
      return { done: 'webhookTested', tested: hook.id };
    }),
  );

  return r;
}
