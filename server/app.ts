/** Builds the Resonance server (Express app, HTTP server, dispatcher) without listening: tests use it directly. */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { loginPerAddress, type Config } from './config';
import { openDatabase, closeDatabase, db, writeLockStats } from './db';
import { migrate } from './migrate';
import { bootstrapAdmin } from './services/accounts';
import { createDispatcher, type DispatcherOptions, type Processor } from './workers/dispatcher';
import { processorsFor } from './workers';
import { serverSecret } from './secrets';
import { log } from './log';
import { authentication, csrf } from './middleware/auth';
import { LoginThrottle, RateLimiter, rateLimit } from './middleware/rateLimit';
import { newAccountLimit } from './middleware/newAccountLimit';
import { conversationsApi } from './routes/api/conversations';
import { messagePages } from './routes/pages/messages';
import { isStaff, personOf } from './policies';
import { apiErrors, errorLocale, logUnhandled, setOutageRetryAfter, toAppError } from './middleware/errors';
import { LANG_COOKIE } from './middleware/cookies';
import { methodNotAllowed } from './middleware/methods';
import { DEFAULT_LOCALE, fromAcceptLanguage, matchLocale, t } from './i18n';
import { observeRequest, renderMetrics } from './metrics';
import { createViews } from './views';
import { faviconRoutes } from './routes/favicon';
import { accountsApi } from './routes/api/accounts';
import { communityApi } from './routes/api/community';
import { threadsApi } from './routes/api/threads';
import { previewApi } from './routes/api/preview';
import { notificationsApi } from './routes/api/notifications';
import { profilesApi } from './routes/api/profiles';
import { forumPages } from './routes/pages/forum';
import { accountPages } from './routes/pages/account';
import { staffPages } from './routes/pages/staff';
import { consolePages } from './routes/pages/console';
import { searchPages } from './routes/pages/search';
import { renderPage } from './routes/pages/context';
import { localizedMessage, NotFound } from './errors';
import type { HttpDeps } from './routes/deps';
import { ViewCounter } from './services/viewCounts';
import { attachRealtime, type RealtimeOptions } from './realtime/io';
import { broadcastProcessor } from './workers/broadcast';
import { conversationsProcessor } from './workers/conversations';
import { sessionsProcessor } from './workers/sessions';
import { consoleProcessor } from './workers/console';
import { kolProcessor } from './workers/kol';
import { configureKol, isKol, kolAuthors, loadKolGraph, scheduleKolRecompute, stopKolRecompute } from './services/kol';
import { indexProcessor } from './workers/indexer';
import { createSearch } from './search';
import { loadDictionary } from './services/dictionary';
import { warmUpAnalysis } from '../search/analysis';
import { useZhModelFile } from '../search/analysis/sentiment-zh';
import { communityModelOverride, zhModelOverride } from './services/sentimentLabels';
import { useCommunityModelFile } from '../search/analysis/community-model';
import { listeningApi } from './routes/api/listening';
import { consoleApi } from './routes/api/console';
import { opinionApi } from './routes/api/opinion';
import { consoleSettings } from './services/consoleSettings';
import { alertsApi } from './routes/api/alerts';
import { auditApi } from './routes/api/audit';
import { deskProcessor } from './workers/desk';
import { alertRulesProcessor } from './workers/alerts';
import { scheduleEscalation, stopEscalation } from './services/alerts';
import { webhooksApi } from './routes/api/webhooks';
import { createWebhookSender, webhookProcessor } from './workers/webhooks';
import { deliverySettings } from './services/webhookDelivery';
import { peopleApi } from './routes/api/people';
import { peoplePages } from './routes/pages/people';
import { alertAdminPages } from './routes/pages/alertAdmin';
import { uploadsApi } from './routes/api/uploads';
import { uploadFiles } from './routes/uploadFiles';
import { LocalDiskStorage } from './uploads/storage';
import { createCluster } from './cluster';
import { eventsFromWire } from './cluster/bus';
import { withFence } from './cluster/fence';
import { createLeaseKeeper, liveWorkers } from './cluster/leases';
import { publishCommittedEvents, receiveRemoteEvents } from './events';
import { configureThreadCache, forgetThreads } from './services/threadReads';
import { forgetActors } from './services/accounts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ResonanceOptions {
  dispatcher?: DispatcherOptions;
  /** Extra processors (tests inject failing ones to prove retries). */
  processors?: Processor[];
  realtime?: RealtimeOptions;
}

/**
 * The metrics label of a request: the matched route's pattern (`/api/v1/threads/:id`), so the
 * label set stays small whatever URLs clients send. Read from originalUrl: routers rewrite req.path.
 */
function routeLabel(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}`;
  const url = req.originalUrl;
  return url.startsWith('/static/') ? '/static' : url.startsWith('/api/') ? '/api/unmatched' : 'unmatched';
}

/** Open the database, migrate, and assemble the app. */
export async function createResonance(config: Config, options: ResonanceOptions = {}) {
  log.setLevel(config.LOG_LEVEL);
  setOutageRetryAfter(config.OUTAGE_RETRY_AFTER_SECONDS);
  const sequelize = await openDatabase(config);
  await migrate(sequelize);
  if (config.RESONANCE_ADMIN) {
    const admin = await bootstrapAdmin(config.RESONANCE_ADMIN);
    log.info('admin account ready', { username: admin.username });
  }
  await loadDictionary();
  // A community retrain (`resonance retrain --write`) replaces the committed Chinese model and its word model.
  useZhModelFile(zhModelOverride(config));
  useCommunityModelFile('zh', communityModelOverride(config));
  // Before listen(): /healthz answers only once the first analysis costs what every other does.
  warmUpAnalysis();
  const search = await createSearch(config);
  // Not awaited: a down search backend must not keep the forum from starting; the indexer retries.
  search.ready().catch((err) => log.warn('search backend not ready yet; indexing will retry', { backend: search.backend.name, error: String(err) }));
  const secret = serverSecret(config);
  // Several processes share rate limits, live delivery, presence and cache invalidation here.
  const cluster = createCluster(config);
  configureThreadCache(config.THREAD_CACHE_TTL_SECONDS * 1000);
  const limiter = (scope: string, limit: number, windowMs: number) => new RateLimiter(limit, windowMs).share(cluster?.store ?? null, scope);
  const secureCookies = config.COOKIE_SECURE ?? config.NODE_ENV === 'production';
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: secureCookies, path: '/', maxAge: 30 * 86400_000 };

  const loginAddressLimiter = limiter('login-address', loginPerAddress(config), 60_000);
  const loginThrottle = new LoginThrottle(loginAddressLimiter, limiter('login-failures-per-account', config.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE, 60_000));
  const postLimiter = limiter('posts', config.RATE_LIMIT_POSTS_PER_MINUTE, 60_000);
  const apiLimiter = limiter('api', config.RATE_LIMIT_API_PER_MINUTE, 60_000);
  const pageLimiter = limiter('pages', config.RATE_LIMIT_PAGES_PER_MINUTE, 60_000);
  const viewCounts = new ViewCounter({ windowMs: config.VIEW_COUNT_WINDOW_MINUTES * 60_000 });
  viewCounts.start(config.VIEW_COUNT_FLUSH_SECONDS * 1000);
  const deps: HttpDeps = {
    config,
    cookieOptions,
    viewCounts,
    limits: {
      login: loginThrottle,
      registrations: rateLimit(limiter('registrations', config.RATE_LIMIT_REGISTRATIONS_PER_MINUTE, 60_000), (req) => `register-ip:${req.ip}`),
      passwordCheck: rateLimit(loginAddressLimiter, (req) => `login-ip:${req.ip}`),
      posting: rateLimit(postLimiter, (req) => (req.actor ? `post:${req.actor.id}` : `post-ip:${req.ip}`)),
      likes: rateLimit(limiter('likes', config.RATE_LIMIT_LIKES_PER_MINUTE, 60_000), (req) => (req.actor ? `like:${req.actor.id}` : `like-ip:${req.ip}`)),
      flags: rateLimit(limiter('flags', config.RATE_LIMIT_FLAGS_PER_MINUTE, 60_000), (req) => (req.actor ? `flag:${req.actor.id}` : `flag-ip:${req.ip}`)),
      preview: rateLimit(limiter('preview', config.RATE_LIMIT_PREVIEW_PER_MINUTE, 60_000), (req) => (req.actor ? `preview:${req.actor.id}` : `preview-ip:${req.ip}`)),
      messages: rateLimit(limiter('messages', config.RATE_LIMIT_MESSAGES_PER_MINUTE, 60_000), (req) => (req.actor ? `message:${req.actor.id}` : `message-ip:${req.ip}`)),
      newConversations: newAccountLimit(limiter('new-account-conversations', config.RATE_LIMIT_NEW_ACCOUNT_CONVERSATIONS_PER_HOUR, 3_600_000), config.MESSAGES_NEW_ACCOUNT_DAYS, 'conversations'),
      // One budget for the search API and page; staff (the console drills into search) are not counted.
      search: rateLimit(limiter('search', config.RATE_LIMIT_SEARCH_PER_MINUTE, 60_000), (req) => (isStaff(req.actor) ? null : personOf(req.actor) ? `search:${req.actor!.id}` : `search-ip:${req.ip}`)),
      uploads: rateLimit(limiter('uploads', config.RATE_LIMIT_UPLOADS_PER_MINUTE, 60_000), (req) => (req.actor ? `upload:${req.actor.id}` : `upload-ip:${req.ip}`)),
    },
    uploads: {
      storage: new LocalDiskStorage(path.join(config.dataDir, 'uploads')),
      limits: { maxBytes: config.UPLOAD_MAX_BYTES, maxPixels: config.UPLOAD_MAX_PIXELS },
      quotaBytes: config.UPLOAD_QUOTA_BYTES_PER_MEMBER,
    },
  };

  const app = express();
  app.disable('x-powered-by');
  // Pages embed a per-visitor CSRF token, so an ETag would never match; hashing 50 kB per response is pure cost.
  app.set('etag', false);
  app.set('trust proxy', config.TRUST_PROXY);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => observeRequest(req.method, routeLabel(req), res.statusCode, Number(process.hrtime.bigint() - start) / 1e9));
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'https:', 'data:'],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use('/static', express.static(path.join(root, 'static'), { maxAge: config.NODE_ENV === 'production' ? '1d' : 0, index: false }));
  app.use(faviconRoutes(path.join(root, 'static')));
  // Uploaded images: before sessions and the page limit (a thread page loads twenty of them).
  app.use(uploadFiles(deps.uploads.storage));

  app.get('/healthz', async (_req, res) => {
    const [dbOk, searchOk, health, redisOk, workers] = await Promise.all([
      db().authenticate().then(() => true, () => false),
      search.healthy(),
      dispatcher.health().catch(() => ({ backlog: -1, lagSeconds: -1 })),
      cluster ? cluster.link.healthy() : null,
      liveWorkers().catch(() => -1),
    ]);
    // `workers`: processes running the durable lanes (role worker or all); 0 = nothing drains the outbox.
    const pipeline = { ...health, workers };
    // A down search backend degrades listening, not the forum: still 200, with search 'down'.
    // A down Redis too: each process then acts alone ('off': there is no Redis to share).
    const redis = redisOk === null ? 'off' : redisOk ? 'ok' : 'down';
    res.status(dbOk ? 200 : 503).json({ ok: dbOk, db: dbOk ? 'ok' : 'down', search: searchOk ? 'ok' : 'down', searchBackend: search.backend.name, redis, pipeline });
  });
  app.get('/metrics', async (_req, res) => {
    const [pipeline, workers] = await Promise.all([dispatcher.health().catch(() => ({ backlog: -1, lagSeconds: -1 })), liveWorkers().catch(() => -1)]);
    const lock = writeLockStats();
    res.type('text/plain; version=0.0.4').send(
      renderMetrics(
        { resonance_pipeline_backlog: pipeline.backlog, resonance_pipeline_lag_seconds: pipeline.lagSeconds, resonance_pipeline_workers: workers },
        // rate(held) summed over processes is the single writer's busy share (server/db.ts).
        { resonance_write_transactions_total: lock.transactions, resonance_write_lock_wait_seconds_total: lock.waitSeconds, resonance_write_lock_held_seconds_total: lock.heldSeconds },
      ),
    );
  });

  // Mention batches (up to 1,000 items) get a larger cap than everything else.
  app.use('/api/v1/mentions', express.json({ limit: config.INGEST_BODY_LIMIT }));
  app.use(express.json({ limit: config.BODY_LIMIT }));
  app.use(express.urlencoded({ extended: false, limit: config.BODY_LIMIT, parameterLimit: 100 }));
  app.use(authentication());
  app.use((req, _res, next) => {
    req.locale = matchLocale(req.cookies[LANG_COOKIE]) ?? matchLocale(typeof req.query.lang === 'string' ? req.query.lang : null) ?? fromAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LOCALE;
    // The same zone in every language: the language never moves a time.
    req.timeZone = req.actor?.timeZone ?? config.DEFAULT_TIME_ZONE;
    next();
  });
  app.use(csrf(secret, secureCookies));

  // JSON API
  const api = express.Router();
  api.use(rateLimit(apiLimiter, (req) => (req.actor ? `api:${req.actor.id}` : `api-ip:${req.ip}`)));
  api.use(accountsApi(deps));
  api.use(communityApi());
  api.use(threadsApi(deps));
  api.use(previewApi(deps));
  api.use(uploadsApi(deps));
  api.use(notificationsApi());
  api.use(profilesApi());
  api.use(conversationsApi(deps));
  api.use(listeningApi(deps, search));
  api.use(consoleApi());
  api.use(alertsApi());
  api.use(auditApi());
  api.use(peopleApi());
  api.use(opinionApi(deps, search, { kolAuthors: async () => kolAuthors(), watchLists: async () => (await consoleSettings()).watchLists }));
  api.use(webhooksApi(deps));
  api.use(methodNotAllowed(api));
  api.use(() => {
    throw NotFound('Route');
  });
  api.use(apiErrors());
  app.use('/api/v1', api);

  // HTML pages
  const render = createViews();
  app.use(rateLimit(pageLimiter, (req) => (req.actor ? `page:${req.actor.id}` : `page-ip:${req.ip}`)));
  app.use(forumPages(render, deps));
  app.use(accountPages(render, deps));
  app.use(messagePages(render, deps));
  app.use(consolePages(render, search));
  app.use(searchPages(render, deps, search));
  app.use(staffPages(render));
  app.use(peoplePages(render));
  app.use(alertAdminPages(render, deps));
  app.use(methodNotAllowed(app.router));
  app.use(() => {
    throw NotFound('Page');
  });
  const jsonErrors = apiErrors();
  app.use(async (err: unknown, req: Request, res: Response, next: NextFunction) => {
    // Errors raised before the API router (body parsing, CSRF) still answer API clients in JSON.
    if (req.originalUrl.startsWith('/api/')) return jsonErrors(err, req, res, next);
    const e = toAppError(err);
    if (e.code === 'internal') logUnhandled('unhandled page error', { method: req.method, path: req.path }, err);
    if (e.details?.retryAfterSeconds) res.setHeader('Retry-After', String(e.details.retryAfterSeconds));
    if (e.details?.allow) res.setHeader('Allow', e.details.allow.join(', '));
    if (e.code === 'unauthenticated' && req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    try {
      const locale = errorLocale(req);
      await renderPage(req, res, render, 'error', { title: t(locale, `error.${e.code}`), code: e.code, status: e.status, message: e.code === 'validation_failed' || e.code === 'rate_limited' ? localizedMessage(e, locale) : null }, e.status);
    } catch {
      res.status(e.status).type('text').send(e.message);
    }
  });

  const server = http.createServer(app);
  const { io, presence, consoleNs, deskNs } = attachRealtime(
    server,
    {
      commandsPerSocket: config.RATE_LIMIT_SOCKET_COMMANDS_PER_MINUTE,
      commandsPerClient: config.RATE_LIMIT_SOCKET_CLIENT_COMMANDS_PER_MINUTE,
      replayPostsPerClient: config.RATE_LIMIT_SOCKET_REPLAY_POSTS_PER_MINUTE,
      socketsPerAddress: config.RATE_LIMIT_SOCKETS_PER_ADDRESS,
      windowMs: 60_000,
      trustProxy: config.TRUST_PROXY,
    },
    { publicUrl: config.PUBLIC_URL ?? null, cluster, ...options.realtime },
  );
  // Every role keeps the KOL graph: web processes serve the leaderboards, the worker's alert
  // rules read standings (kol_negative).
  configureKol({ threadMinEdges: config.KOL_RECOMPUTE_THREAD_MIN_EDGES });
  const loaded = await loadKolGraph();
  log.info('KOL graph loaded', loaded);
  scheduleKolRecompute(config.KOL_RECOMPUTE_MINUTES);
  const consoleFeed = consoleProcessor(consoleNs, { isKol });
  // The rules and the SLA sweep run in ONE place: the worker (or `all`). Their spike detectors
  // count every analysed item in memory, so web processes sharing their durable cursor would each
  // count only the items they happened to take, and no spike would reach its threshold.
  const alertRules = alertRulesProcessor({ tickMs: config.ALERT_SPIKE_TICK_SECONDS * 1000, maxItemAgeMs: config.ALERT_MAX_ITEM_AGE_HOURS * 3_600_000 });
  const runsRules = config.RESONANCE_ROLE !== 'web';
  // Outbound webhooks send from the worker role (state in webhook_deliveries; see workers/webhooks.ts).
  const webhookSender = createWebhookSender({ ...deliverySettings(config), perMinute: config.RATE_LIMIT_WEBHOOKS_PER_MINUTE });
  const processors = [
    ...processorsFor(config.RESONANCE_ROLE, {
      web: [broadcastProcessor(io) as Processor, conversationsProcessor(io) as Processor, sessionsProcessor(io) as Processor, consoleFeed as Processor, deskProcessor(deskNs) as Processor],
      worker: [indexProcessor(search) as Processor, webhookProcessor(webhookSender, config.PUBLIC_URL) as Processor, alertRules as Processor],
      both: [kolProcessor as Processor],
    }),
    ...(options.processors ?? []),
  ];
  // Durable lanes run in one process at a time, however many workers there are (cluster/leases.ts).
  // The alert rules' lease carries their spike detectors and the SLA sweep with it.
  const durable = (p: Processor) => p.durable !== false;
  const weight = (name: string) => (name === 'index' ? 2 : name === alertRules.name ? 0 : 1);
  const leases =
    runsRules && processors.some(durable)
      ? createLeaseKeeper({
          // Heaviest first (the keeper keeps the first of its list when it gives lanes back): the
          // indexer (all the analysis) and the alert rules end up in different workers.
          names: processors
            .filter(durable)
            .map((p) => p.name)
            .sort((a, b) => weight(b) - weight(a)),
          ttlMs: config.WORKER_LEASE_SECONDS * 1000,
          async gained(name) {
            if (name === alertRules.name) {
              // Their timers (the spike tick, the SLA sweep) write for this lane: they carry its fence.
              await withFence({ lease: name, owner: leases!.owner }, async () => {
                await alertRules.start();
                scheduleEscalation(config.ALERT_SLA_SWEEP_SECONDS);
              });
            }
            dispatcher.resume(name);
          },
          async lost(name) {
            await dispatcher.pause(name);
            if (name === alertRules.name) {
              alertRules.stop();
              stopEscalation();
            }
          },
        })
      : null;
  const dispatcher = createDispatcher(processors, {
    pollMs: config.OUTBOX_POLL_MS,
    ...options.dispatcher,
    leased: leases ? durable : undefined,
    fence: leases ? (p) => (durable(p) ? { lease: p.name, owner: leases.owner } : null) : undefined,
    onLeaseLost: (name) => void leases?.dropped(name).catch((err) => log.warn('lane not stopped', { lane: name, error: String(err) })),
  });
  if (cluster) {
    // Our commits go out on the bus; theirs come in: the dispatcher's tail, the caches.
    publishCommittedEvents((events) => cluster.bus.publishEvents(events));
    cluster.bus.on('events', (msg) => receiveRemoteEvents(eventsFromWire(msg.events)));
    // Too large to carry, or Redis was away and messages were lost: read the outbox, start the
    // caches over (the poll kept delivery going meanwhile; only invalidations could be missed).
    const resync = () => {
      forgetThreads();
      forgetActors();
      dispatcher.kick();
    };
    cluster.bus.on('wake', resync);
    cluster.link.onReconnect(resync);
  }
  let closed = false;
  /** Start the pipeline work of this role (listen() does it for web and all; a worker calls it). */
  const startWork = async () => {
    dispatcher.start();
    // The lanes this process holds start now; the rest wait for a lease to come free.
    await leases?.start();
    if (config.RESONANCE_ROLE !== 'web') webhookSender.start();
  };

  return {
    app,
    server,
    io,
    consoleNs,
    deskNs,
    alertRules,
    search,
    config,
    dispatcher,
    leases,
    webhookSender,
    viewCounts,
    cluster,
    startWork,
    /** Listen on config.PORT (0 = a free port); returns the base URL. */
    async listen(port = config.PORT, host = config.HOST): Promise<string> {
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      await startWork();
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actualPort}`;
    },
    /** Stop accepting work, finish in-flight processing, close the database. */
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await leases?.stop();
      await dispatcher.stop();
      await webhookSender.stop();
      consoleFeed.stop();
      alertRules.stop();
      stopEscalation();
      stopKolRecompute();
      await search.close();
      presence.stop();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await viewCounts.stop();
      if (cluster) {
        publishCommittedEvents(null);
        await cluster.link.close();
      }
      await closeDatabase();
    },
  };
}

export type Resonance = Awaited<ReturnType<typeof createResonance>>;
