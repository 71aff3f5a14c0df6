/**
 * The listening pipeline end to end, on both backends: posts and mentions are analysed and
 * become searchable after commit; edits re-analyse, deletes, moderator hides and withdrawn consent remove; and
 * an Elasticsearch outage loses nothing.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildUser, buildThread, buildChapter } from '../support/factories';
import { requireElasticsearch, serverBackends } from '../support/elasticsearch';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { segmentForIndex } from '../../search/analysis';
import { DeadEvent, Mention, OutboxEvent } from '../../server/models';
import { PROTOTYPE_TEXT_EN, PROTOTYPE_TEXT_ZH } from '../support/prototype-words';
import { buildMentionDocuments } from '../../server/workers/indexer';

const backends = serverBackends('pipe');

for (const backend of backends) {
  describe(`listening pipeline (${backend.name})`, function () {
    let server: TestServer;
    let staff: Client;
    let ingestKey: string;
    const searchFor = async (q: string, extra = '') => (await staff.get(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`)).body;

    before(async function () {
      server = await startServer(await backend.env(this));
      const pr = await buildUser({ role: 'pr' });
      staff = new Client(server.url).withToken(pr.token);
      const admin = await buildUser({ role: 'admin' });
      const key = await new Client(server.url).withToken(admin.token).post('/api/v1/api-keys', { name: 'connector', scopes: ['ingest'] });
      ingestKey = key.body.key;
    });
    after(async () => server?.close());

    it('analyses and indexes a new post after commit; staff see its analysis', async () => {
      const chapter = await buildChapter({ name: '深圳同城会' });
      const { thread, post } = await buildThread({ chapter, body: '新车续航太拉胯了，车机还经常死机，非常失望' });
      await server.resonance.dispatcher.drain();
      const found = await searchFor('拉胯');
      expect(found.total).to.equal(1);
      expect(found.items[0]).to.include({ id: `post:${post.id}`, kind: 'post', source: 'forum', chapter: chapter.slug });
      expect(found.items[0].sentiment.label).to.equal('negative');
      expect(found.items[0].highlight).to.contain('<mark>拉胯</mark>');
      const threadApi = await staff.get(`/api/v1/threads/${thread.id}`);
      expect(threadApi.body.posts[0].analysis.sentiment.label).to.equal('negative');
      expect(threadApi.body.posts[0].analysis.lang).to.equal('zh');
      expect(threadApi.body.posts[0].analysis.reasons).to.be.an('array').that.is.not.empty;
      // Members never see the analysis.
      const member = await buildUser();
      const asMember = await new Client(server.url).withToken(member.token).get(`/api/v1/threads/${thread.id}`);
      expect(asMember.body.posts[0]).to.not.have.property('analysis');
      // CONTRACT v1.1: members search the forum and find the post, without its sentiment; the
      // sentiment filter stays staff's.
      const memberSearch = await new Client(server.url).withToken(member.token).get(`/api/v1/search?q=${encodeURIComponent('拉胯')}`);
      expect(memberSearch.status).to.equal(200);
      expect(memberSearch.body.items.map((i: { id: string }) => i.id)).to.deep.equal([`post:${post.id}`]);
      expect(memberSearch.body.items[0]).to.not.have.property('sentiment');
      expect((await new Client(server.url).withToken(member.token).get('/api/v1/search?q=x&sentiment=negative')).status).to.equal(403);
    });

    it('finds the short words inside long ones (售后 in 售后服务) but not fragments across words', async () => {
      const { post } = await buildThread({ body: '售后服务太差了，智能座舱也经常卡顿' });
      await server.resonance.dispatcher.drain();
      for (const q of ['售后', '售后服务', '座舱', '智能座舱']) {
        expect((await searchFor(q)).items.map((i: { id: string }) => i.id), q).to.include(`post:${post.id}`);
      }
      expect((await searchFor('务太')).items.map((i: { id: string }) => i.id)).to.not.include(`post:${post.id}`);
    });

    it('lets admins extend the dictionary so a new brand word is segmented (and found) whole', async () => {
      const admin = new Client(server.url).withToken((await buildUser({ role: 'admin' })).token);
      // The segmenter is per process: each backend's run needs a word nobody added yet.
      const word = backend.name === 'embedded' ? '浪擎星舰' : '澜擎云舟';
      expect(segmentForIndex(`我的${word}到了`)).to.not.include(word);
      expect((await staff.post('/api/v1/dictionary', { words: [word] })).status).to.equal(403);
      const added = await admin.post('/api/v1/dictionary', { words: [word, ' ', 'two words'] });
      expect(added.status).to.equal(400);
      expect((await admin.post('/api/v1/dictionary', { words: [word] })).body.added).to.deep.equal([word]);
      expect((await admin.get('/api/v1/dictionary')).body.words).to.include(word);
      const { post } = await buildThread({ body: `我的${word}到了，颜值很高` });
      await server.resonance.dispatcher.drain();
      expect((await searchFor(word)).items.map((i: { id: string }) => i.id)).to.include(`post:${post.id}`);
      expect(segmentForIndex(`我的${word}到了`)).to.include(word);
    });

    it('re-analyses an edit and removes a deleted post', async () => {
      const author = await buildUser();
      const { post } = await buildThread({ author, body: '客服态度很差，等了三天没人理' });
      const api = new Client(server.url).withToken(author.token);
      await server.resonance.dispatcher.drain();
      expect((await searchFor('客服')).items.map((i: { id: string }) => i.id)).to.include(`post:${post.id}`);
      await api.patch(`/api/v1/posts/${post.id}`, { body: '更新：售后服务非常好，很快就解决了，非常满意！' });
      await server.resonance.dispatcher.drain();
      expect((await searchFor('客服')).items.map((i: { id: string }) => i.id)).to.not.include(`post:${post.id}`);
      const edited = await searchFor('满意');
      const hit = edited.items.find((i: { id: string }) => i.id === `post:${post.id}`);
      expect(hit.sentiment.label).to.equal('positive');
      await api.delete(`/api/v1/posts/${post.id}`);
      await server.resonance.dispatcher.drain();
      expect((await searchFor('满意')).items.map((i: { id: string }) => i.id)).to.not.include(`post:${post.id}`);
    });

    it('removes a post a moderator hides, and indexes it again when restored', async () => {
      const author = await buildUser();
      const moderator = await buildUser({ role: 'moderator' });
      const { post } = await buildThread({ author, body: '这次召回通知来得太晚了，车主都很失望' });
      const mod = new Client(server.url).withToken(moderator.token);
      const ids = async () => (await searchFor('召回')).items.map((i: { id: string }) => i.id);
      await server.resonance.dispatcher.drain();
      expect(await ids()).to.include(`post:${post.id}`);
      expect((await mod.post(`/api/v1/posts/${post.id}/hide`, { reason: 'personal data in the post' })).status).to.equal(200);
      await server.resonance.dispatcher.drain();
      expect(await ids()).to.not.include(`post:${post.id}`);
      expect((await mod.delete(`/api/v1/posts/${post.id}/hide`, { reason: 'edited by the author' })).status).to.equal(200);
      await server.resonance.dispatcher.drain();
      expect(await ids()).to.include(`post:${post.id}`);
    });

    it('leaves out members who withdraw analytics consent, and brings them back when they give it', async () => {
      const author = await buildUser();
      await buildThread({ author, body: '智能座舱的语音助手反应很快，好评' });
      await server.resonance.dispatcher.drain();
      const before = await searchFor('语音助手');
      expect(before.items.some((i: { author: string }) => i.author === author.username)).to.equal(true);
      const api = new Client(server.url).withToken(author.token);
      await api.patch('/api/v1/me', { analyticsConsent: false });
      await server.resonance.dispatcher.drain();
      expect((await searchFor('语音助手')).items.some((i: { author: string }) => i.author === author.username)).to.equal(false);
      // New posts while opted out are not analysed either; the forum still shows them.
      const { thread } = await buildThread({ author, body: '语音助手第二帖' });
      await server.resonance.dispatcher.drain();
      expect((await searchFor('第二帖')).total).to.equal(0);
      expect((await api.get(`/api/v1/threads/${thread.id}`)).body.posts[0].body).to.equal('语音助手第二帖');
      await api.patch('/api/v1/me', { analyticsConsent: true });
      await server.resonance.dispatcher.drain();
      expect((await searchFor('语音助手')).items.filter((i: { author: string }) => i.author === author.username)).to.have.length(2);
    });

    it('ingests mentions with an API key: duplicates counted, bad items reported one by one, the rest accepted', async () => {
      const ingest = new Client(server.url).withToken(ingestKey);
      const now = new Date().toISOString();
      const items = [
        { source: 'weibo', externalId: 'wb-1', author: { handle: '数码大V', followers: 1_200_000 }, text: '声浪新车发布会现场，续航表现遥遥领先 #声浪新车#', url: 'https://weibo.example/1', publishedAt: now },
        { source: 'douyin', externalId: 'dy-9', author: { handle: 'car_fan' }, text: '提车一周，车机卡顿严重，太失望了', publishedAt: now },
        { source: 'weibo', externalId: 'wb-1', author: { handle: '数码大V' }, text: 'same again', publishedAt: now },
        { source: 'news', author: { handle: 'x' }, text: 'no external id', publishedAt: now },
        { source: 'weibo', externalId: 'wb-2', author: { handle: 'y' }, text: '', publishedAt: now },
        { source: 'weibo', externalId: 'wb-3', author: { handle: 'z' }, text: 'bad date', publishedAt: 'yesterday' },
      ];
      const res = await ingest.post('/api/v1/mentions', { items });
      expect(res.status).to.equal(202);
      expect(res.body.accepted).to.equal(2);
      expect(res.body.duplicates).to.equal(1);
      expect(res.body.rejected.map((r: { index: number }) => r.index)).to.deep.equal([3, 4, 5]);
      expect(res.body.rejected[0].reason).to.match(/externalId/);
      const again = await ingest.post('/api/v1/mentions', { items: items.slice(0, 2) });
      expect(again.body).to.deep.include({ accepted: 0, duplicates: 2 });
      await server.resonance.dispatcher.drain();
      const weibo = await searchFor('遥遥领先', '&source=weibo');
      expect(weibo.total).to.equal(1);
      expect(weibo.items[0]).to.include({ kind: 'mention', source: 'weibo', author: '数码大V', kol: true });
      expect((await searchFor('遥遥领先', '&kol=true')).total).to.equal(1);
      const negative = await searchFor('车机', '&sentiment=negative&source=douyin');
      expect(negative.total).to.equal(1);
      // Only keys with the ingest scope may ingest; members and anonymous callers may not.
      expect((await new Client(server.url).post('/api/v1/mentions', { items })).status).to.equal(401);
      const member = await buildUser();
      expect((await new Client(server.url).withToken(member.token).post('/api/v1/mentions', { items })).status).to.equal(403);
      expect((await ingest.post('/api/v1/mentions', { items: [] })).status).to.equal(400);
      expect((await ingest.post('/api/v1/mentions', { nope: 1 })).status).to.equal(400);
    });

    it('indexes texts made of every Object.prototype property name, posted and ingested, in zh and en', async () => {
      const deadBefore = await DeadEvent.count();
      const { thread } = await buildThread({ body: '开个帖子' });
      const author = new Client(server.url).withToken((await buildUser()).token);
      const posted = [];
      for (const body of [`${PROTOTYPE_TEXT_ZH} 帖子甲`, `${PROTOTYPE_TEXT_EN} postalpha`]) {
        const res = await author.post(`/api/v1/threads/${thread.id}/posts`, { body });
        expect(res.status).to.equal(201);
        posted.push(`post:${res.body.post.id}`);
      }
      const now = new Date().toISOString();
      const tag = crypto.randomBytes(4).toString('hex');
      const items = [
        { source: 'weibo', externalId: `proto-ok-${tag}`, author: { handle: 'a' }, text: '续航很满意 mentionalpha', publishedAt: now },
        { source: 'weibo', externalId: `proto-en-${tag}`, author: { handle: 'b' }, text: `${PROTOTYPE_TEXT_EN} mentionbeta`, publishedAt: now },
        { source: 'weibo', externalId: `proto-zh-${tag}`, author: { handle: 'c' }, text: `${PROTOTYPE_TEXT_ZH} mentiongamma`, publishedAt: now },
      ];
      expect((await new Client(server.url).withToken(ingestKey).post('/api/v1/mentions', { items })).body.accepted).to.equal(3);
      await server.resonance.dispatcher.drain();
      for (const [q, id] of [['帖子甲', posted[0]], ['postalpha', posted[1]]]) expect((await searchFor(q)).items.map((i: { id: string }) => i.id), q).to.include(id);
      for (const q of ['mentionalpha', 'mentionbeta', 'mentiongamma']) expect((await searchFor(q)).total, q).to.equal(1);
      const found = await searchFor('constructor');
      expect(found.total).to.be.at.least(4);
      for (const item of found.items) expect(item.sentiment.score, item.id).to.be.a('number').and.within(-1, 1);
      expect(await DeadEvent.count()).to.equal(deadBefore);
    });

    it('dead-letters the one mention of a batch the backend refuses; the others become searchable', async () => {
      const backendIndex = server.resonance.search.backend.index;
      // A backend that refuses one document, as Elasticsearch refuses one that breaks its mapping.
      server.resonance.search.backend.index = async (docs) => {
        if (docs.some((d) => d.text.includes('refusedbybackend'))) throw new Error('document refused');
        return backendIndex(docs);
      };
      try {
        const now = new Date().toISOString();
        const tag = crypto.randomBytes(4).toString('hex');
        const items = ['batchfirst 很好', 'refusedbybackend 很差', 'batchthird 一般'].map((text, i) =>
          ({ source: 'news', externalId: `iso-${tag}-${i}`, author: { handle: `iso${i}` }, text, publishedAt: now }));
        expect((await new Client(server.url).withToken(ingestKey).post('/api/v1/mentions', { items })).body.accepted).to.equal(3);
        await server.resonance.dispatcher.drain();
        expect((await searchFor('batchfirst')).total).to.equal(1);
        expect((await searchFor('batchthird')).total).to.equal(1);
        expect((await searchFor('refusedbybackend')).total).to.equal(0);
        const refused = await Mention.findOne({ where: { externalId: `iso-${tag}-1` } });
        const event = await OutboxEvent.findOne({ where: { type: 'mentions.ingested' }, order: [['id', 'DESC']] });
        const dead = await DeadEvent.findAll({ where: { processor: 'index', item: `mention:${refused!.id}` } });
        expect(dead).to.have.length(1);
        expect(dead[0].eventId).to.equal(event!.id);
        expect(dead[0].error).to.contain('document refused');
        // The event itself is done: the one item is all of it that is dead.
        expect(await DeadEvent.count({ where: { processor: 'index', eventId: event!.id } })).to.equal(1);
      } finally {
        server.resonance.search.backend.index = backendIndex;
      }
    });

    it('reports backlog and search health on /healthz', async () => {
      const health = await new Client(server.url).get('/healthz');
      expect(health.body).to.deep.include({ ok: true, db: 'ok', search: 'ok', searchBackend: backend.name });
      expect(health.body.pipeline).to.have.keys('backlog', 'lagSeconds', 'workers');
      expect(health.body.pipeline.workers, 'this server (role all) runs the pipeline lanes').to.equal(1);
    });
  });
}

describe('listening pipeline: analysing a batch', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.close());

  it('pauses for the event loop between the items it analyses', async () => {
    const ingest = new Client(server.url).withToken((await new Client(server.url).withToken((await buildUser({ role: 'admin' })).token).post('/api/v1/api-keys', { name: 'k', scopes: ['ingest'] })).body.key);
    const now = new Date().toISOString();
    const items = Array.from({ length: 20 }, (_, i) => ({ source: 'news', externalId: `pause-${i}`, author: { handle: 'p' }, text: `第${i}条：续航很满意`, publishedAt: now }));
    expect((await ingest.post('/api/v1/mentions', { items })).body.accepted).to.equal(20);
    await server.resonance.dispatcher.drain();
    const ids = (await Mention.findAll({ where: { source: 'news' }, attributes: ['id'] })).map((m) => m.id);
    let pauses = 0;
    const built = await buildMentionDocuments(ids, async () => {
      pauses++;
    });
    expect(built.docs).to.have.length(20);
    expect(pauses).to.be.at.least(20);
  });
});

describe('listening pipeline survives an Elasticsearch outage', function () {
  let server: TestServer;
  let proxy: TcpProxy;

  before(async function () {
    const es = await requireElasticsearch(this);
    proxy = await startTcpProxy(es.url);
    server = await startServer(
      { ELASTICSEARCH_URL: proxy.url, ELASTICSEARCH_INDEX_PREFIX: `outage_${crypto.randomBytes(4).toString('hex')}` },
      { dispatcher: { backoffBaseMs: 50, backoffMaxMs: 500 } },
    );
  });
  after(async () => {
    await server?.close();
    await proxy?.close();
  });

  it('keeps posting while the backend is down, holds the backlog, and drains it when it returns', async function () {
    this.timeout(120_000);
    const pr = await buildUser({ role: 'pr' });
    const staff = new Client(server.url).withToken(pr.token);
    const author = await buildUser();
    const api = new Client(server.url).withToken(author.token);
    await buildThread({ author, body: '停机前的帖子 预热' });
    await server.resonance.dispatcher.drain(30_000);

    await proxy.cut();
    const { thread } = await buildThread({ author, body: '故障期间 第一帖' });
    const replies = [];
    for (let i = 0; i < 5; i++) {
      const r = await api.post(`/api/v1/threads/${thread.id}/posts`, { body: `故障期间 回复${i}` });
      expect(r.status).to.equal(201); // the forum does not depend on the search backend
      replies.push(r.body.post.id);
    }
    await new Promise((r) => setTimeout(r, 1500));
    const health = await new Client(server.url).get('/healthz');
    expect(health.status).to.equal(200);
    expect(health.body.search).to.equal('down');
    expect(health.body.pipeline.backlog).to.be.greaterThan(0);
    expect((await staff.get('/api/v1/search?q=故障期间')).status).to.equal(503);

    await proxy.restore();
    await server.resonance.dispatcher.drain(60_000);
    const found = await staff.get(`/api/v1/search?q=${encodeURIComponent('故障期间')}&limit=50`);
    expect(found.body.total).to.equal(6);
    const after = await new Client(server.url).get('/healthz');
    expect(after.body).to.deep.include({ search: 'ok' });
    expect(after.body.pipeline.backlog).to.equal(0);
  });
});
