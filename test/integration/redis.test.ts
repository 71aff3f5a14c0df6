/**
 * Redis as the cluster's shared memory (REDIS_URL), against a real redis-server: shared rate-limit
 * windows, the bus, /healthz, and an outage that degrades to single-process behaviour and heals.
 * The multi-process proof is scale-out.test.ts.
 */
import { expect } from 'chai';
import { connectRedis, type RedisLink } from '../../server/cluster/redis';
import { createBus, eventsFromWire, type BusMessage } from '../../server/cluster/bus';
import { redisLimitStore } from '../../server/cluster/sharedLimits';
import { RateLimiter } from '../../server/middleware/rateLimit';
import type { StoredEvent } from '../../server/events';
import { requireRedis, type TestRedis } from '../support/redis';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { waitFor } from '../support/wait';

describe('Redis: shared limits, bus, health, outage', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  const links: RedisLink[] = [];
  const link = async (prefix: string) => {
    const l = connectRedis({ url: redis.url, keyPrefix: prefix, commandTimeoutMs: 250 });
    links.push(l);
    await waitFor(() => l.status() === 'ok', 'redis link');
    return l;
  };

  before(async function () {
    redis = await requireRedis(this);
  });
  after(async () => {
    await Promise.all(links.map((l) => l.close()));
    await redis?.close();
  });

  it('gives two processes one budget: the 6th hit of a 5-per-window limit is refused wherever it lands', async () => {
    const [a, b] = [await link('lim1:'), await link('lim1:')];
    const onA = new RateLimiter(5, 60_000).share(redisLimitStore(a), 'posts');
    const onB = new RateLimiter(5, 60_000).share(redisLimitStore(b), 'posts');
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await (i % 2 ? onB : onA).take('post:7'));
    expect(waits.slice(0, 5)).to.deep.equal([0, 0, 0, 0, 0]);
    expect(waits[5]).to.be.within(1, 60);
    // Another key, and a look (cost 0), spend nothing.
    expect(await onB.take('post:8')).to.equal(0);
    expect(await onA.take('post:7', 0)).to.be.within(1, 60);
    // Without the shared store each would have allowed five of its own.
    const alone = new RateLimiter(5, 60_000);
    expect(await alone.take('post:7')).to.equal(0);
  });

  it('carries committed events between processes and never back to the sender', async () => {
    const [a, b] = [await link('bus1:'), await link('bus1:')];
    const busA = createBus(a);
    const busB = createBus(b);
    const heardA: BusMessage[] = [];
    const heardB: BusMessage[] = [];
    busA.on('events', (m) => heardA.push(m));
    busB.on('events', (m) => heardB.push(m));
    await waitFor(async () => (await a.commands.pubsub('NUMSUB', 'bus1:bus'))[1] === 2, 'both subscribed');
    const event = { type: 'post.created', postId: 5, threadId: 2, authorId: 1, chapterId: null, replyToId: null, eventId: 41, at: new Date('2026-12-02T03:00:00Z') } as StoredEvent;
    busA.publishEvents([event]);
    await waitFor(() => heardB.length === 1, 'B to hear A');
    const [got] = eventsFromWire((heardB[0] as Extract<BusMessage, { k: 'events' }>).events);
    expect(got).to.deep.equal(event);
    expect(got.at).to.be.instanceOf(Date);
    // A publishes a second message after; when B has it, A would have had its own first one too.
    busA.publish({ k: 'presence', threadId: '2' });
    busB.publish({ k: 'events', events: [] });
    await waitFor(() => heardA.length === 1, 'A to hear B');
    expect(heardA).to.have.length(1);
    // Too large to carry: a bare wake-up instead.
    const wakes: BusMessage[] = [];
    busB.on('wake', (m) => wakes.push(m));
    busA.publishEvents([{ ...event, type: 'user.deleted', userId: 1, formerUsername: 'x', postIds: Array.from({ length: 60_000 }, (_, i) => i) } as StoredEvent]);
    await waitFor(() => wakes.length === 1, 'the wake-up');
    expect(heardB).to.have.length(1);
  });

  it('falls back to counting alone while Redis is down, and shares again once it is back', async () => {
    const a = await link('lim2:');
    const limiter = new RateLimiter(2, 60_000).share(redisLimitStore(a), 'k');
    expect(await limiter.take('k')).to.equal(0);
    await redis.stop();
    await waitFor(() => a.status() === 'down', 'the link to notice');
    // Counted in memory now: this process's own budget of 2, answered without waiting for Redis.
    expect(await limiter.take('k')).to.equal(0);
    expect(await limiter.take('k')).to.equal(0);
    expect(await limiter.take('k')).to.be.within(1, 60);
    await redis.start();
    await waitFor(() => a.status() === 'ok', 'the link to reconnect by itself', 20_000);
    // The restarted Redis kept nothing (no persistence): a fresh shared window.
    expect(await limiter.take('k')).to.equal(0);
    expect(await limiter.take('k')).to.equal(0);
    expect(await limiter.take('k')).to.be.within(1, 60);
  });

  describe('a server with REDIS_URL', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'srv1:', RATE_LIMIT_POSTS_PER_MINUTE: '3' });
    });
    after(() => server?.close());

    it('reports Redis in /healthz, keeps serving through an outage, and recovers by itself', async () => {
      await waitFor(async () => (await new Client(server.url).get('/healthz')).body.redis === 'ok', 'redis ok');
      const fan = new Client(server.url);
      const reg = await fan.post('/api/v1/auth/register', { username: 'redis_fan', password: 'password-123' });
      fan.withToken(reg.body.token);
      const thread = await fan.post('/api/v1/threads', { title: '共享限流', body: '第一帖' });
      expect(thread.status).to.equal(201);
      // The limit is counted in Redis: its key is there.
      const keys = await links[0].commands.keys('srv1:rl:*');
      expect(keys.some((k) => k.includes(`post:${reg.body.user.id}`))).to.equal(true);

      await redis.stop();
      await waitFor(async () => (await new Client(server.url).get('/healthz')).body.redis === 'down', 'redis down in healthz');
      const health = await new Client(server.url).get('/healthz');
      expect(health.status).to.equal(200);
      expect(health.body.ok).to.equal(true);
      // Posting and reading go on (limits counted in this process alone meanwhile).
      const during = await fan.post(`/api/v1/threads/${thread.body.thread.id}/posts`, { body: 'Redis 停了也能发' });
      expect(during.status).to.equal(201);
      expect((await fan.get(`/api/v1/threads/${thread.body.thread.id}`)).body.posts).to.have.length(2);

      await redis.start();
      await waitFor(async () => (await new Client(server.url).get('/healthz')).body.redis === 'ok', 'redis ok again', 20_000);
      const after = await fan.post(`/api/v1/threads/${thread.body.thread.id}/posts`, { body: '恢复了' });
      expect(after.status).to.equal(201);
    });
  });

  it('a server without REDIS_URL says redis "off"', async () => {
    const server = await startServer({ REDIS_URL: '' });
    try {
      const health = await new Client(server.url).get('/healthz');
      expect(health.body.redis).to.equal('off');
    } finally {
      await server.close();
    }
  });
});
