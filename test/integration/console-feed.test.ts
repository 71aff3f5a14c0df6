/**
 * The opinion console's live feed: namespace /console admits console viewers only, and the
 * console processor turns item.analyzed into stream items and batched opinion:updated counts.
 */
import { expect } from 'chai';
import { io as connect, type Socket } from 'socket.io-client';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { until } from '../support/sockets';
import { buildChapter, buildThread, buildUser } from '../support/factories';
import type { ConsoleClientToServerEvents, ConsoleItem, ConsoleServerToClientEvents, OpinionDelta } from '../../server/realtime/contract';
import { consoleProcessor } from '../../server/workers/console';
import type { StoredEvent } from '../../server/events';

type ConsoleSocket = Socket<ConsoleServerToClientEvents, ConsoleClientToServerEvents>;

function openConsole(url: string, token?: string): Promise<ConsoleSocket | Error> {
  const s: ConsoleSocket = connect(`${url}/console`, { transports: ['websocket'], auth: token ? { token } : {}, reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      resolve(err);
    });
  });
}

describe('opinion console feed (/console)', function () {
  this.timeout(30_000);
  let server: TestServer;
  const sockets: ConsoleSocket[] = [];
  const open = async (token?: string) => {
    const s = await openConsole(server.url, token);
    if (!(s instanceof Error)) sockets.push(s);
    return s;
  };

  before(async () => {
    server = await startServer();
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.disconnect()));
  after(() => server?.close());

  it('admits pr, admin and moderators; refuses members, API keys and anonymous sockets', async () => {
    const [member, pr, admin, moderator] = await Promise.all([buildUser(), buildUser({ role: 'pr' }), buildUser({ role: 'admin' }), buildUser({ role: 'moderator' })]);
    expect(String(await open())).to.contain('unauthenticated');
    expect(String(await open(member.token))).to.contain('forbidden');
    const key = (await new Client(server.url).withToken(admin.token).post('/api/v1/api-keys', { name: 'k', scopes: ['ingest'] })).body.key;
    expect(String(await open(key))).to.contain('unauthenticated'); // a key is no person: no socket identity at all
    for (const staff of [pr, admin, moderator]) expect(await open(staff.token)).to.not.be.instanceOf(Error);
  });

  it('streams a new negative reply with its reasons, author, chapter and link, then counts it in opinion:updated', async () => {
    const pr = await buildUser({ role: 'pr' });
    const s = (await open(pr.token)) as ConsoleSocket;
    const items: ConsoleItem[] = [];
    const deltas: OpinionDelta[] = [];
    s.on('item:analyzed', ({ item }) => items.push(item));
    s.on('opinion:updated', (d) => deltas.push(d));
    const chapter = await buildChapter({ name: '杭州同城会' });
    const author = await buildUser({ displayName: '老车主' });
    const { thread, post } = await buildThread({ chapter, author, body: '刚提车三天车机就死机，客服一直推脱，太失望了，再也不买了' });
    await server.resonance.dispatcher.drain();
    await until(() => items.some((i) => i.id === `post:${post.id}`), 5000, 'item:analyzed');
    const item = items.find((i) => i.id === `post:${post.id}`)!;
    expect(item).to.deep.include({ kind: 'post', source: 'forum', url: `/t/${thread.id}#p${post.id}`, chapter: { slug: chapter.slug, name: '杭州同城会' } });
    expect(item.author).to.deep.include({ username: author.username, displayName: '老车主', kol: false });
    expect(item.sentiment.label).to.equal('negative');
    expect(item.reasons).to.be.an('array').that.is.not.empty;
    await until(() => deltas.reduce((n, d) => n + d.negative, 0) >= 1, 5000, 'opinion:updated');
    const total = deltas.reduce((n, d) => n + d.total, 0);
    expect(total).to.equal(items.length);
    expect(deltas.flatMap((d) => d.byChapter).find((c) => c.chapter === chapter.slug)?.negative).to.equal(1);
  });

  it('the processor on its own: one item.analyzed event becomes one stream item and one delta; an edit re-analysis is streamed but not counted again', async () => {
    const pr = await buildUser({ role: 'pr' });
    const s = (await open(pr.token)) as ConsoleSocket;
    const items: ConsoleItem[] = [];
    const deltas: OpinionDelta[] = [];
    s.on('item:analyzed', ({ item }) => items.push(item));
    s.on('opinion:updated', (d) => deltas.push(d));
    const { post, thread } = await buildThread({ body: '门店服务很热情，值了' });
    const processor = consoleProcessor(server.resonance.consoleNs, { flushMs: 10, isKol: (source, handle) => source === 'forum' && handle.startsWith('u_') });
    const event = (first: boolean): StoredEvent<'item.analyzed'> => ({
      type: 'item.analyzed',
      eventId: 1,
      at: new Date(),
      kind: 'post',
      id: post.id,
      lang: 'zh',
      label: 'positive',
      score: 0.8,
      confidence: 0.9,
      keywords: ['服务'],
      reasons: ['+热情', '+值了'],
      complaint: null,
      chapterId: null,
      threadId: thread.id,
      source: 'forum',
      authorId: post.authorId,
      handle: 'u_someone',
      followers: null,
      createdAt: post.createdAt.toISOString(),
      first,
    });
    await processor.handleBatch!([event(true)]);
    await until(() => items.length === 1 && deltas.length === 1, 5000, 'one item and one delta');
    expect(items[0]).to.deep.include({ id: `post:${post.id}`, reasons: ['+热情', '+值了'] });
    expect(items[0].author.kol).to.equal(true);
    expect(deltas[0]).to.deep.include({ total: 1, positive: 1, negative: 0, neutral: 0 });
    await processor.handleBatch!([event(false)]);
    await until(() => items.length === 2, 5000, 'the re-analysis streamed');
    await new Promise((r) => setTimeout(r, 100));
    expect(deltas).to.have.length(1);
    processor.stop();
  });
});
