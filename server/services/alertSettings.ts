/**
 * The alert desk's admin-kept settings: rule thresholds, claim SLAs per severity band, watch
 * lists (on top of the built-in crisis terms), the brand's official account for responses, and
 * whether new cases go round-robin to the responders on duty. Stored in `settings` (key
 * `alerts`), audit-logged, read through a short in-process cache like the console's settings.
 */
import { z } from 'zod';
import { shortLabel } from '../routes/schemas';
import { Setting, User } from '../models';
import { Validation } from '../errors';
import { withTransaction } from '../db';
import { audit } from './audit';
import { authorize, type Actor } from '../policies';
import { compileWatchwords, type WatchwordMatcher } from '../../search/alerts/watchwords';
import { DEFAULT_THRESHOLDS, type RuleThresholds } from '../../search/alerts/rules';

const minutes = z.number().int().min(1).max(7 * 24 * 60);
export const alertSettingsInput = z
  .object({
    thresholds: z
      .object({ negativeMinSeverity: z.number().int().min(1).max(10), kolTrendDrop: z.number().min(0.05).max(2), flagEscalateAt: z.number().int().min(1).max(100) })
      .partial()
      .strict()
      .optional(),
    sla: z.object({ critical: minutes, high: minutes, normal: minutes }).partial().strict().optional(),
    watchLists: z.array(z.object({ key: shortLabel, terms: z.array(shortLabel).min(1).max(100) }).strict()).max(50).optional(),
    officialUsername: z.string().regex(/^[a-z0-9_]{3,32}$/).nullable().optional(),
    roundRobin: z.boolean().optional(),
    onDuty: z.array(z.string().regex(/^[a-z0-9_]{3,32}$/)).max(200).optional(),
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
let cached: { value: AlertSettings; at: number; matcher: WatchwordMatcher } | null = null;

async function load() {
  if (cached && Date.now() - cached.at < TTL_MS) return cached;
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
  cached = { value, at: Date.now(), matcher: sameLists ? cached!.matcher : compileWatchwords(value.watchLists) };
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
  if (patch.officialUsername) {
    // Replies go out under this account: it must exist and be staff (a member could not post in private chapters, nor speak for the brand).
    const official = await User.findOne({ where: { username: patch.officialUsername } });
    if (!official || official.role === 'member' || official.suspendedAt) throw Validation('officialUsername', 'must be an active staff account (moderator, pr or admin)');
  }
  const before = await alertSettings();
  const after: AlertSettings = {
    ...before,
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    thresholds: { ...before.thresholds, ...patch.thresholds },
    sla: { ...before.sla, ...patch.sla },
  } as AlertSettings;
  await withTransaction(async (transaction) => {
    await Setting.upsert({ key: KEY, value: after, updatedById: actor.id, updatedAt: new Date() }, { transaction });
    await audit(transaction, actor.id, 'alerts.configure', 'setting', KEY, null, { before, after });
  });
  cached = null;
  return after;
}
