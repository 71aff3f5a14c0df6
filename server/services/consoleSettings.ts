/**
 * The console's admin-kept settings: watched-term groups for share of voice (our brand and
 * products against competitors) and the KOL flag thresholds. Stored in `settings`, audit-logged,
 * read through a short in-process cache (they change rarely and are read on every summary).
 */
import { z } from 'zod';
import { shortLabel } from '../routes/schemas';
import { Setting } from '../models';
import { withTransaction } from '../db';
import { audit } from './audit';
import { authorize, type Actor } from '../policies';

/** One watched group: a label and the terms that count for it. */
const term = shortLabel;
export const watchGroup = z.object({
  key: term,
  terms: z.array(term).min(1).max(20),
  /** Ours (brand, products) or a competitor's: the chart colours and orders them. */
  side: z.enum(['ours', 'competitor']).default('ours'),
}).strict();
export const consoleSettingsInput = z
  .object({
    watchLists: z.array(watchGroup).max(20).optional(),
    kol: z.object({ minScore: z.number().min(0).max(100), topN: z.number().int().min(1).max(1_000) }).partial().strict().optional(),
  })
  .strict();

export type WatchGroup = z.output<typeof watchGroup>;
export interface ConsoleSettings {
  watchLists: WatchGroup[];
  kol: { minScore: number; topN: number };
}

const DEFAULTS: ConsoleSettings = { watchLists: [], kol: { minScore: 60, topN: 50 } };
const KEY = 'console';
let cached: { value: ConsoleSettings; at: number } | null = null;
const TTL_MS = 5_000;

/** The current settings (defaults where none were set). */
export async function consoleSettings(): Promise<ConsoleSettings> {
  if (cached && Date.now() - cached.at < TTL_MS) return cached.value;
  const row = await Setting.findByPk(KEY);
  const stored = (row ? (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) : {}) as Partial<ConsoleSettings>;
  const value = { watchLists: stored.watchLists ?? DEFAULTS.watchLists, kol: { ...DEFAULTS.kol, ...stored.kol } };
  cached = { value, at: Date.now() };
  return value;
}

/** Change the settings (admin); the before/after goes into the audit log. */
export async function updateConsoleSettings(actor: Actor, patch: z.output<typeof consoleSettingsInput>): Promise<ConsoleSettings> {
  authorize(actor, 'console.configure', null);
  const before = await consoleSettings();
  const after: ConsoleSettings = { watchLists: patch.watchLists ?? before.watchLists, kol: { ...before.kol, ...patch.kol } };
  await withTransaction(async (transaction) => {
    await Setting.upsert({ key: KEY, value: after, updatedById: actor.id, updatedAt: new Date() }, { transaction });
    await audit(transaction, actor.id, 'console.configure', 'setting', KEY, null, { before, after });
  });
  cached = null;
  return after;
}
