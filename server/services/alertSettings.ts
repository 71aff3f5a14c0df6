/**
 * The alert desk's admin-kept settings: rule thresholds, claim SLAs per severity band, watch
 * lists (on top of the built-in crisis terms), the brand's official account for responses, and
 * whether new cases go round-robin to the responders on duty. Stored in `settings` (key
 * `alerts`), audit-logged, read through a short in-process cache like the console's settings.
 */
import { z } from 'zod';
import { Op } from 'sequelize';
import { parse, shortLabel } from '../routes/schemas';
import { Setting, User } from '../models';
import { db, withTransaction } from '../db';
import { Conflict, NotFound, Validation } from '../errors';
import { audit } from './audit';
import { authorize, isStaffRole, type Actor } from '../policies';
import { compileWatchwords, type WatchwordMatcher } from '../../search/alerts/watchwords';
import { DEFAULT_THRESHOLDS, type RuleThresholds } from '../../search/alerts/rules';

const minutes = z.number().int().min(1).max(7 * 24 * 60);
const staffName = z.string().regex(/^[a-z0-9_]{3,32}$/, 'must be 3–32 characters of a-z, 0-9 and _');
/** One admin watch list: a key (its name on the desk) and its terms. */
export const watchListInput = z.object({ key: shortLabel, terms: z.array(shortLabel).min(1).max(100) }).strict();
const thresholdsInput = z.object({ negativeMinSeverity: z.number().int().min(1).max(10), kolTrendDrop: z.number().min(0.05).max(2), flagEscalateAt: z.number().int().min(1).max(100) });
const slaInput = z.object({ critical: minutes, high: minutes, normal: minutes });
export const alertSettingsInput = z
  .object({
    thresholds: thresholdsInput.partial().strict().optional(),
    sla: slaInput.partial().strict().optional(),
    watchLists: z.array(watchListInput).max(50).optional(),
    officialUsername: staffName.nullable().optional(),
    roundRobin: z.boolean().optional(),
    onDuty: z.array(staffName).max(200).optional(),
  })
  .strict();

export interface AlertSettings {
  thresholds: RuleThresholds;
  /** Minutes to claim: severity ≥ 8, 5–7, ≤ 4. */
  sla: { critical: number; high: number; normal: number };
  watchLists: { key: string; terms: string[] }[];
  /** Responses from the desk are posted as this account; null: as the responder. */
  officialUsername: string | null;
  roundRobin: boolean;
  /** Usernames of the responders on duty (round-robin picks among them). */
  onDuty: string[];
}

// 15 minutes for a safety or KOL crisis matches what brand PR teams promise for Weibo; an hour
// for ordinary negative posts; four for the rest (reports, small spikes).
const DEFAULTS: AlertSettings = {
  thresholds: { ...DEFAULT_THRESHOLDS },
  sla: { critical: 15, high: 60, normal: 240 },
  watchLists: [],
  officialUsername: null,
  roundRobin: false,
  onDuty: [],
};
const KEY = 'alerts';
const TTL_MS = 5_000;
// Keyed by the open database too: a process that reopens one (tests boot a server per file) must not read the old one's settings.
let cached: { value: AlertSettings; at: number; matcher: WatchwordMatcher; source: ReturnType<typeof db> } | null = null;

// Changes read the stored row (`fresh`), never the cache: another process (web and worker roles)
// may have written in the last TTL_MS, and a stale `before` would silently undo that change.
async function load(fresh = false) {
  if (!fresh && cached && cached.source === db() && Date.now() - cached.at < TTL_MS) return cached;
  const row = await Setting.findByPk(KEY);
  const stored = (row ? (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) : {}) as Partial<AlertSettings>;
  const value: AlertSettings = {
    ...DEFAULTS,
    ...stored,
    thresholds: { ...DEFAULTS.thresholds, ...stored.thresholds },
    sla: { ...DEFAULTS.sla, ...stored.sla },
  };
  // Compiled once per change of the lists, not per post (the matcher is one automaton for all terms).
  const sameLists = cached && JSON.stringify(cached.value.watchLists) === JSON.stringify(value.watchLists);
  cached = { value, at: Date.now(), matcher: sameLists ? cached!.matcher : compileWatchwords(value.watchLists), source: db() };
  return cached;
}

/** The current settings (defaults where none were set). */
export async function alertSettings(): Promise<AlertSettings> {
  return (await load()).value;
}

/** The crisis terms plus the admins' watch lists, compiled. */
export async function watchwordMatcher(): Promise<WatchwordMatcher> {
  return (await load()).matcher;
}

/**
 * A responder goes on or off duty (round-robin picks among those on duty). Any responder may
 * do this for themselves; the read-modify-write holds the settings row locked, so two people
 * toggling at once both count.
 */
export async function setOnDuty(actor: Actor, onDuty: boolean): Promise<string[]> {
  authorize(actor, 'alerts.work', null);
  const list = await withTransaction(async (transaction) => {
    const row = await Setting.findByPk(KEY, { transaction, lock: transaction.LOCK.UPDATE });
    const stored = (row ? (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) : {}) as Partial<AlertSettings>;
    const before = stored.onDuty ?? [];
    const after = onDuty ? [...new Set([...before, actor.username])] : before.filter((u) => u !== actor.username);
    await Setting.upsert({ key: KEY, value: { ...stored, onDuty: after }, updatedById: actor.id, updatedAt: new Date() }, { transaction });
    await audit(transaction, actor.id, onDuty ? 'desk.onDuty' : 'desk.offDuty', 'user', String(actor.id), null, { before, after });
    return after;
  });
  cached = null;
  return list;
}

/** Change the settings (admin); the before/after goes into the audit log. */
export async function updateAlertSettings(actor: Actor, patch: z.output<typeof alertSettingsInput>): Promise<AlertSettings> {
  authorize(actor, 'alerts.configure', null);
  await checkStaffNames(patch);
  // Read, merge and write under the row's lock: a responder going on duty meanwhile is kept.
  const after = await withTransaction(async (transaction) => {
    const row = await Setting.findByPk(KEY, { transaction, lock: transaction.LOCK.UPDATE });
    const stored = (row ? (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) : {}) as Partial<AlertSettings>;
    const before: AlertSettings = { ...DEFAULTS, ...stored, thresholds: { ...DEFAULTS.thresholds, ...stored.thresholds }, sla: { ...DEFAULTS.sla, ...stored.sla } };
    const merged: AlertSettings = {
      ...before,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      thresholds: { ...before.thresholds, ...patch.thresholds },
      sla: { ...before.sla, ...patch.sla },
    } as AlertSettings;
    await Setting.upsert({ key: KEY, value: merged, updatedById: actor.id, updatedAt: new Date() }, { transaction });
    await audit(transaction, actor.id, 'alerts.configure', 'setting', KEY, null, { before, after: merged });
    return merged;
  });
  cached = null;
  return after;
}

/** A numeric setting's bounds and step, read from the input schema (forms use them for min/max). */
export interface NumberBounds {
  min: number;
  max: number;
  step: number;
}
const boundsOf = (n: z.ZodNumber): NumberBounds => ({ min: n.minValue ?? 0, max: n.maxValue ?? Number.MAX_SAFE_INTEGER, step: n.isInt ? 1 : 0.05 });

/** The bounds of every threshold and SLA, as alertSettingsInput accepts them. */
export function alertSettingBounds(): { thresholds: Record<keyof RuleThresholds, NumberBounds>; sla: Record<keyof AlertSettings['sla'], NumberBounds> } {
  const th = thresholdsInput.shape;
  const sla = slaInput.shape;
  return {
    thresholds: { negativeMinSeverity: boundsOf(th.negativeMinSeverity), kolTrendDrop: boundsOf(th.kolTrendDrop), flagEscalateAt: boundsOf(th.flagEscalateAt) },
    sla: { critical: boundsOf(sla.critical), high: boundsOf(sla.high), normal: boundsOf(sla.normal) },
  };
}

// The official account posts the desk's replies and on-duty responders get cases: both must be
// staff who can act. A typo would otherwise only show when the first crisis is answered.
async function checkStaffNames(patch: z.output<typeof alertSettingsInput>): Promise<void> {
  const names = [...(patch.officialUsername ? [patch.officialUsername] : []), ...(patch.onDuty ?? [])];
  if (names.length === 0) return;
  const users = await User.findAll({ where: { username: { [Op.in]: [...new Set(names)] } } });
  const usable = new Set(users.filter((u) => isStaffRole(u.role) && !u.suspendedAt).map((u) => u.username));
  if (patch.officialUsername && !usable.has(patch.officialUsername)) throw Validation('officialUsername', `${patch.officialUsername} is not an active staff account (moderator, pr or admin)`);
  const missing = (patch.onDuty ?? []).find((name) => !usable.has(name));
  if (missing) throw Validation('onDuty', `${missing} is not an active staff account (moderator, pr or admin)`);
}

/** Terms as an admin types them: one per line or separated by commas (also ，、;；), trimmed, each once. */
export function parseTerms(text: string): string[] {
  const terms = text.split(/[\n\r,，、;；]+/).map((t) => t.trim()).filter(Boolean);
  return [...new Set(terms)];
}

/**
 * Add a watch list, or (with `replacing`) change the list of that key, renaming it if the key
 * changed. Keys are unique: adding or renaming onto an existing key is a conflict.
 */
export async function saveWatchList(actor: Actor, input: { key: string; terms: string[] }, replacing?: string): Promise<AlertSettings> {
  authorize(actor, 'alerts.configure', null);
  const list = parse(watchListInput, { key: input.key.trim(), terms: input.terms });
  const lists = (await load(true)).value.watchLists;
  if (replacing !== undefined && !lists.some((l) => l.key === replacing)) throw NotFound('Watch list');
  if (list.key !== replacing && lists.some((l) => l.key === list.key)) throw Conflict(`A watch list named ${list.key} exists`);
  const next = replacing === undefined ? [...lists, list] : lists.map((l) => (l.key === replacing ? list : l));
  return updateAlertSettings(actor, parse(alertSettingsInput, { watchLists: next }));
}

/** Remove the watch list of this key (404 when there is none). */
export async function deleteWatchList(actor: Actor, key: string): Promise<AlertSettings> {
  authorize(actor, 'alerts.configure', null);
  const lists = (await load(true)).value.watchLists;
  if (!lists.some((l) => l.key === key)) throw NotFound('Watch list');
  return updateAlertSettings(actor, { watchLists: lists.filter((l) => l.key !== key) });
}
