/**
 * Load for the resilience suite, over the public HTTP contract: a community (admin, ingest key,
 * member, thread), a burst of replies and mention batches that records exactly what the server
 * acknowledged, and the checks that everything acknowledged survived (database, search index
 * exactly once, socket replay).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { QueryTypes, Sequelize } from 'sequelize';
import sqlite3 from '../../server/sqlite';
import { Client } from './client';
import { CHILD_ADMIN } from './child-server';
import { openSocket, request } from './sockets';
import { waitFor } from './wait';

export interface Community {
  admin: Client;
  member: Client;
  ingestKey: string;
  threadId: string;
  openingPostId: string;
}

/** Admin sign-in, an ingest key, a member and the thread the burst replies in. */
export async function setUpCommunity(url: string): Promise<Community> {
  const admin = new Client(url);
  const login = await admin.post('/api/v1/auth/login', CHILD_ADMIN);
  expect(login.status, login.text).to.equal(200);
  admin.withToken(login.body.token);
  const key = await admin.post('/api/v1/api-keys', { name: 'resil', scopes: ['ingest'] });
  expect(key.status, key.text).to.equal(201);
  const member = new Client(url);
  const reg = await member.post('/api/v1/auth/register', { username: `m_${crypto.randomBytes(4).toString('hex')}`, password: 'member-password' });
  expect(reg.status, reg.text).to.equal(201);
  member.withToken(reg.body.token);
  const thread = await member.post('/api/v1/threads', { title: 'Resilience burst', body: '续航很满意，车机太拉胯了' });
  expect(thread.status, thread.text).to.equal(201);
  return { admin, member, ingestKey: key.body.key, threadId: String(thread.body.thread.id), openingPostId: String(thread.body.post.id) };
}

/** What the server acknowledged during a burst. */
export interface Acknowledged {
  /** Ids of posts answered 201. */
  posts: string[];
  /** `source:externalId` of mentions in batches answered 202 (all new, so all accepted). */
  mentions: string[];
  /** Requests that got an HTTP answer other than 201/202 (status: count). */
  refused: Map<number, number>;
  /** Requests that got no answer (connection refused or reset: the server was gone). */
  unanswered: number;
}

export interface BurstOptions {
  posts: number;
  /** Every n-th request is a mention batch instead of a reply. */
  mentionEvery?: number;
  mentionBatch?: number;
  concurrency?: number;
  /** Called after each acknowledged post (e.g. to kill the server at a chosen moment). */
  onPost?: (acknowledged: Acknowledged) => void;
  /** Stop at the first request that gets no answer (the server died). Default true. */
  stopWhenGone?: boolean;
}

/**
 * Replies and mention batches from `concurrency` writers at once. A request that gets no answer
 * ends its writer (the server was killed); every answer is recorded.
 */
export async function burst(url: string, community: Community, options: BurstOptions): Promise<Acknowledged> {
  const { posts, mentionEvery = 8, mentionBatch = 5, concurrency = 6, stopWhenGone = true } = options;
  const ack: Acknowledged = { posts: [], mentions: [], refused: new Map(), unanswered: 0 };
  const run = crypto.randomBytes(3).toString('hex');
  let next = 0;
  let gone = false;
  const writer = async () => {
    while (!gone && next < posts) {
      const i = next++;
      try {
        if (i % mentionEvery === mentionEvery - 1) {
          const items = Array.from({ length: mentionBatch }, (_, j) => ({
            source: 'weibo',
            externalId: `${run}-${i}-${j}`,
            author: { handle: `fan_${j}`, followers: 100 * j },
            text: `提到 resonance 第${i}条 ${j}：新车续航很满意`,
            publishedAt: new Date().toISOString(),
          }));
          const res = await fetch(`${url}/api/v1/mentions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${community.ingestKey}` },
            body: JSON.stringify({ items }),
          });
          await res.text();
          if (res.status === 202) ack.mentions.push(...items.map((m) => `${m.source}:${m.externalId}`));
          else ack.refused.set(res.status, (ack.refused.get(res.status) ?? 0) + 1);
        } else {
          const res = await community.member.post(`/api/v1/threads/${community.threadId}/posts`, { body: `burst ${run} reply ${i}: 车机太拉胯了，续航很满意` });
          if (res.status === 201) {
            ack.posts.push(String(res.body.post.id));
            options.onPost?.(ack);
          } else ack.refused.set(res.status, (ack.refused.get(res.status) ?? 0) + 1);
        }
      } catch {
        ack.unanswered++;
        if (stopWhenGone) gone = true;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, writer));
  return ack;
}

/** Rows of a query on a SQLite file opened read-only (the server may still be running: WAL). */
export function sqliteRows<T>(file: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.all(sql, [], (e, rows) => db.close(() => (e ? reject(e) : resolve(rows as T[]))));
    });
  });
}

/** Wait until the pipeline has nothing left to do (/healthz backlog 0). */
export async function drained(url: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(`${url}/healthz`).catch(() => null);
      if (!res || res.status !== 200) return false;
      const body = (await res.json()) as { pipeline: { backlog: number } };
      return body.pipeline.backlog === 0;
    },
    'the pipeline backlog to drain to 0',
    timeoutMs,
    100,
  );
}

/** Every post id of a thread, oldest first, through the API (paged). */
export async function threadPostIds(client: Client, threadId: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const res = await client.get(`/api/v1/threads/${threadId}?limit=100${after ? `&after=${after}` : ''}`);
    expect(res.status, res.text).to.equal(200);
    const page = (res.body.posts as { id: string }[]).map((p) => String(p.id));
    ids.push(...page);
    if (page.length < 100) return ids;
    after = page[page.length - 1];
  }
}

/** Rows of a query on a PostgreSQL database, on a connection of its own (the server may still be running). */
export async function postgresRows<T>(url: string, sql: string): Promise<T[]> {
  const sequelize = new Sequelize(url, { logging: false, pool: { max: 1 } });
  try {
    return await sequelize.query<T & object>(sql, { type: QueryTypes.SELECT });
  } finally {
    await sequelize.close();
  }
}

/** Where the server under test keeps its data: DATA_DIR's SQLite file, or PostgreSQL (DATABASE_URL). */
export interface StoredIn {
  dataDir: string;
  databaseUrl?: string;
}

/** The database ids of mentions, keyed `source:externalId`. */
export async function mentionIds(store: StoredIn): Promise<Map<string, number>> {
  const sql = 'SELECT "id", "source", "externalId" FROM "mentions"';
  type Row = { id: number | string; source: string; externalId: string };
  const rows = store.databaseUrl ? await postgresRows<Row>(store.databaseUrl, sql) : await sqliteRows<Row>(path.join(store.dataDir, 'resonance.sqlite'), sql);
  return new Map(rows.map((r) => [`${r.source}:${r.externalId}`, Number(r.id)]));
}

/** How many times each document id is in the search index (embedded file, or every index under the ES prefix). */
export async function indexedIds(dataDir: string, es?: { url: string; prefix: string }): Promise<Map<string, number>> {
  let ids: string[];
  if (!es) {
    ids = (await sqliteRows<{ id: string }>(path.join(dataDir, 'search.sqlite'), 'SELECT id FROM docs')).map((r) => r.id);
  } else {
    // Every index of the prefix, not the alias: a document written to two indices counts twice.
    const pattern = `${es.prefix}-docs-*`;
    await fetch(`${es.url}/${pattern}/_refresh`, { method: 'POST' });
    const res = await fetch(`${es.url}/${pattern}/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size: 10_000, _source: false, query: { match_all: {} } }),
    });
    const body = (await res.json()) as { hits: { hits: { _id: string }[] } };
    ids = body.hits.hits.map((h) => h._id);
  }
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** The post ids a live socket is replayed when it joins the thread having seen only `lastSeen` (following truncated replays). */
export async function replayedPostIds(url: string, token: string, threadId: string, lastSeen: string): Promise<string[]> {
  const socket = await openSocket(url, token);
  const replayed: string[] = [];
  try {
    socket.on('post:created', (p) => {
      if (p.replay) replayed.push(String(p.post.id));
    });
    let seen = lastSeen;
    for (;;) {
      const res = await request(socket, 'thread:join', { threadId, lastSeenPostId: seen });
      if (!res.ok) throw new Error(`thread:join refused: ${JSON.stringify(res.error)}`);
      if (!res.data.truncated) return replayed;
      seen = replayed[replayed.length - 1];
      await request(socket, 'thread:leave', { threadId });
    }
  } finally {
    socket.disconnect();
  }
}

/** After a crash and restart: every acknowledged post and mention is stored, indexed exactly once, and (posts) replayed. */
export async function expectNothingLost(url: string, store: StoredIn, community: Community, ack: Acknowledged, es?: { url: string; prefix: string }): Promise<void> {
  await drained(url);
  const stored = new Set(await threadPostIds(community.member, community.threadId));
  const lostPosts = ack.posts.filter((id) => !stored.has(id));
  expect(lostPosts, 'acknowledged posts missing from the database').to.deep.equal([]);
  const mentions = await mentionIds(store);
  const lostMentions = ack.mentions.filter((m) => !mentions.has(m));
  expect(lostMentions, 'accepted mentions missing from the database').to.deep.equal([]);

  const indexed = await indexedIds(store.dataDir, es);
  const wanted = [...ack.posts.map((id) => `post:${id}`), ...ack.mentions.map((m) => `mention:${mentions.get(m)}`)];
  const notOnce = wanted.filter((id) => indexed.get(id) !== 1).map((id) => `${id} x${indexed.get(id) ?? 0}`);
  expect(notOnce, 'acknowledged documents not in the search index exactly once').to.deep.equal([]);
  const duplicated = [...indexed].filter(([, n]) => n > 1).map(([id]) => id);
  expect(duplicated, 'duplicate documents in the search index').to.deep.equal([]);

  const replayed = new Set(await replayedPostIds(url, community.member.token!, community.threadId, community.openingPostId));
  const notReplayed = ack.posts.filter((id) => !replayed.has(id));
  expect(notReplayed, 'acknowledged posts a live thread does not replay').to.deep.equal([]);
}
