/** The only reader of process.env: every setting is validated with zod at boot. */
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  // The Chinese sentiment model to load instead of the committed one (default: DATA_DIR/models/sentiment-zh.json when present; see `resonance retrain`).
  SENTIMENT_MODEL_PATH: z.string().min(1).optional(),
  ELASTICSEARCH_URL: z.string().url().optional(),
  // Several web processes: live delivery, presence, typing, rate limits and cache invalidation are
  // shared through this Redis (redis://host:port[/db]). Unset: one process, everything in memory.
  REDIS_URL: z.string().url().refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL').optional(),
  // Prefixes every Redis key and channel: deployments (or test servers) sharing one Redis stay apart.
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_:.-]{1,64}$/).default('resonance:'),
  // How often each process reads the outbox for events it was not told of: other processes' commits
  // without Redis (with Redis they arrive over the bus at once), and a safety net with it.
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(500),
  // How long a process trusts its cached thread reads (snapshots, post pages, rendered pages): the
  // bound on staleness when another process's change was not heard of over the bus (no Redis).
  THREAD_CACHE_TTL_SECONDS: z.coerce.number().positive().max(3_600).default(5),
  // How long a Redis command may take before this process stops waiting and acts alone
  // (local rate limits, local presence) for that request.
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  // 'false' (default): writes become searchable within the 1 s refresh interval without making the
  // pipeline wait; 'wait_for' makes each bulk wait for it (tests, read-your-write demos).
  ELASTICSEARCH_REFRESH: z.enum(['false', 'wait_for']).default('false'),
  ELASTICSEARCH_INDEX_PREFIX: z.string().regex(/^[a-z0-9_-]+$/).default('resonance'),
  // The embedded backend caches the console summary's per-hour partial results (rows, all
  // processes' writes invalidate them); about 100 bytes a row. 0 turns the cache off.
  EMBEDDED_AGGREGATE_CACHE_ROWS: z.coerce.number().int().nonnegative().default(500_000),
  RESONANCE_ADMIN: z
    .string()
    .regex(/^[a-z0-9_]{3,32}:.{8,}$/, 'RESONANCE_ADMIN must be username:password (password ≥ 8 chars)')
    .optional(),
  RESONANCE_ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  // Several workers (or `all` processes) share the durable pipeline lanes, each lane owned by one
  // of them through a lease renewed every third of this; a worker that stops renewing (it died,
  // or froze) loses its lanes to the others after this long (at once on the same host when its
  // process is gone).
  WORKER_LEASE_SECONDS: z.coerce.number().int().min(2).max(600).default(15),
  // The resilience suite's kill switch: `<crash point>:<n>` SIGKILLs the process on the n-th pass
  // through that point (server/crashPoints.ts). Never set it in production.
  // The Retry-After of a 503 answered while the database cannot be reached or the disk is full.
  OUTAGE_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  RESONANCE_CRASH_AT: z.string().regex(/^[a-z.]+:[1-9][0-9]*$/, 'RESONANCE_CRASH_AT must be <crash point>:<n>').optional(),
  SESSION_SECRET: z.string().min(16).optional(),
  COOKIE_SECURE: bool.optional(),
  TRUST_PROXY: bool.default(false),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // Rate limits are per minute; generous defaults for people, strict enough to stop scripts.
  // Sign-in, keyed as mature forums do: failed attempts per account (a success spends none; the
  // correct password is refused only once the account itself is under attack), all attempts per
  // address (higher: a locked account must not lock out the other members behind one NAT), and
  // registrations per address on their own budget. RATE_LIMIT_LOGIN_PER_MINUTE is the old name of
  // the per-address limit (used when the new one is unset).
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE: z.coerce.number().int().positive().default(10),
  RATE_LIMIT_LOGIN_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().positive().optional(),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().positive().optional(),
  RATE_LIMIT_REGISTRATIONS_PER_MINUTE: z.coerce.number().int().positive().default(5),
  RATE_LIMIT_POSTS_PER_MINUTE: z.coerce.number().int().positive().default(20),
  RATE_LIMIT_API_PER_MINUTE: z.coerce.number().int().positive().default(600),
  // Per member: likes (and unlikes), and flags (reports go to moderators, so fewer).
  RATE_LIMIT_LIKES_PER_MINUTE: z.coerce.number().int().positive().default(120),
  RATE_LIMIT_FLAGS_PER_MINUTE: z.coerce.number().int().positive().default(10),
  // Private messages: messages sent per member per minute; members in one conversation (the
  // starter included); and accounts younger than MESSAGES_NEW_ACCOUNT_DAYS may start only a few
  // conversations an hour (spam from fresh accounts is the common abuse of private messages).
  RATE_LIMIT_MESSAGES_PER_MINUTE: z.coerce.number().int().positive().default(30),
  RATE_LIMIT_NEW_ACCOUNT_CONVERSATIONS_PER_HOUR: z.coerce.number().int().positive().default(3),
  MESSAGES_NEW_ACCOUNT_DAYS: z.coerce.number().nonnegative().default(3),
  MESSAGES_MAX_PARTICIPANTS: z.coerce.number().int().min(2).max(100).default(10),
  // Forum searches (API and /search page, "more" pages included), per member or per address; staff are not limited.
  RATE_LIMIT_SEARCH_PER_MINUTE: z.coerce.number().int().positive().default(60),
  // Composer previews (POST /api/v1/preview), per member: one per click on the preview tab.
  RATE_LIMIT_PREVIEW_PER_MINUTE: z.coerce.number().int().positive().default(60),
  // The KOL ranking: replies, mentions and likes update it as they happen; a full recompute
  // (PageRank, k-core, normalisation) runs this often (about 1 s at 1M interactions).
  KOL_RECOMPUTE_MINUTES: z.coerce.number().positive().default(10),
  // Graphs with at least this many edges recompute on a worker thread, off the event loop.
  KOL_RECOMPUTE_THREAD_MIN_EDGES: z.coerce.number().int().nonnegative().default(50_000),
  // The alert desk: how often unclaimed cases are checked against their SLA (escalation), and
  // how often minutes are closed for the spike detectors.
  ALERT_SLA_SWEEP_SECONDS: z.coerce.number().positive().default(30),
  ALERT_SPIKE_TICK_SECONDS: z.coerce.number().positive().default(5),
  // Posts and mentions written longer ago than this raise no alert and count in no spike (a bulk
  // import, a seeded history, a backfill of old mentions): the desk is for what happens now.
  ALERT_MAX_ITEM_AGE_HOURS: z.coerce.number().positive().default(24),
  // HTML pages, per address (anonymous) or per member: the API has its own limit.
  RATE_LIMIT_PAGES_PER_MINUTE: z.coerce.number().int().positive().default(300),
  // Memory for the anonymous thread-page cache (the hot path for readers who are not signed in).
  PAGE_CACHE_MAX_MB: z.coerce.number().positive().default(64),
  // Thread views are counted in memory and written in one batch this often (and on shutdown);
  // a viewer counts once per thread per window.
  VIEW_COUNT_FLUSH_SECONDS: z.coerce.number().positive().default(5),
  VIEW_COUNT_WINDOW_MINUTES: z.coerce.number().positive().default(30),
  // Socket.IO commands: per socket, and per member (or per address for anonymous sockets), so
  // opening more sockets buys no more commands. Replays are counted in posts replayed.
  RATE_LIMIT_SOCKET_COMMANDS_PER_MINUTE: z.coerce.number().int().positive().default(180),
  RATE_LIMIT_SOCKET_CLIENT_COMMANDS_PER_MINUTE: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_SOCKET_REPLAY_POSTS_PER_MINUTE: z.coerce.number().int().positive().default(5_000),
  // Concurrent sockets from one address. Generous: many members share a carrier-grade NAT.
  RATE_LIMIT_SOCKETS_PER_ADDRESS: z.coerce.number().int().positive().default(100),
  // The public origin (scheme://host[:port]) browsers use; cookie-authenticated sockets must come from it.
  // Unset: the origin must match the request's own Host header.
  PUBLIC_URL: z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
  // Image uploads (post photos and avatars): bytes per file, pixels declared in its header (checked
  // before decoding: a decompression bomb is refused from the header), stored bytes per member
  // (all re-encoded variants), and uploads per member per minute.
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  UPLOAD_MAX_PIXELS: z.coerce.number().int().positive().default(50_000_000),
  UPLOAD_QUOTA_BYTES_PER_MEMBER: z.coerce.number().int().positive().default(200 * 1024 * 1024),
  RATE_LIMIT_UPLOADS_PER_MINUTE: z.coerce.number().int().positive().default(20),
  BODY_LIMIT: z.string().default('100kb'),
  // A member's profile bio (plain text, shown escaped), in characters.
  PROFILE_BIO_MAX_CHARS: z.coerce.number().int().min(1).max(5_000).default(500),
  INGEST_BODY_LIMIT: z.string().default('10mb'),
  // Outbound webhooks (alert desk): per-request timeout, attempts before a delivery is 'failed',
  // and the exponential backoff's base and cap (with jitter; see server/workers/webhooks.ts).
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(30_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).default(3_600_000),
  // Sends per webhook per minute (DingTalk and WeCom robots accept 20 a minute, then refuse).
  RATE_LIMIT_WEBHOOKS_PER_MINUTE: z.coerce.number().int().positive().default(20),
  // Whether webhooks may target loopback/private/link-local addresses (SSRF). Unset: allowed in
  // development and test (receivers on 127.0.0.1), refused in production.
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool.optional(),
  // The time zone pages are written in for visitors and for members who chose none (an IANA name).
  DEFAULT_TIME_ZONE: z
    .string()
    .refine((zone) => zone === 'UTC' || Intl.supportedValuesOf('timeZone').includes(zone), 'must be an IANA time zone name')
    .default('Asia/Shanghai'),
});

/** The per-address sign-in limit when neither name is set. */
export const DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE = 30;

export type Config = z.infer<typeof schema> & { dataDir: string; sqlitePath: string };

/** Sign-in attempts per address per minute: the new setting, else its old name, else the default. */
export function loginPerAddress(config: Config): number {
  return config.RATE_LIMIT_LOGIN_PER_ADDRESS_PER_MINUTE ?? config.RATE_LIMIT_LOGIN_PER_MINUTE ?? DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE;
}

/** Parse and validate an environment (process.env by default); throws a readable error. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  return { ...parsed.data, dataDir, sqlitePath: path.join(dataDir, 'resonance.sqlite') };
}
