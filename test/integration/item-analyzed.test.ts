/**
 * The seam between the pipeline and everything that reacts to its judgements: each stored
 * analysis records one item.analyzed event in the same transaction, with what consumers need.
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildChapter, buildThread, buildUser } from '../support/factories';
import { Analysis, OutboxEvent } from '../../server/models';
import type { AnalyzedItem } from '../../server/events';

async function analyzedEvents(): Promise<AnalyzedItem[]> {
  const rows = await OutboxEvent.findAll({ where: { type: 'item.analyzed' }, order: [['id', 'ASC']] });
  return rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as AnalyzedItem);
}

describe('item.analyzed events', function () {
  this.timeout(30_000);
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.close());

  it('records one event per analysed post, with its label, reasons and where it was written; an edit records another with first=false', async () => {
    const chapter = await buildChapter();
    const author = await buildUser();
    const { thread, post } = await buildThread({ chapter, author, body: '新车续航太拉胯了，车机还经常死机，非常失望' });
    await server.resonance.dispatcher.drain();
    const events = (await analyzedEvents()).filter((e) => e.kind === 'post' && e.id === post.id);
    expect(events).to.have.length(1);
    const [e] = events;
    const stored = await Analysis.findOne({ where: { docId: `post:${post.id}` } });
    expect(e).to.deep.include({ kind: 'post', id: post.id, label: stored!.label, score: stored!.score, lang: 'zh', chapterId: chapter.id, threadId: thread.id, source: 'forum', authorId: author.user.id, handle: author.username, followers: null, first: true });
    expect(e.label).to.equal('negative');
    expect(e.reasons).to.deep.equal(stored!.reasons);
    expect(e.keywords).to.deep.equal(stored!.keywords);
    expect(Date.parse(e.createdAt)).to.equal(post.createdAt.getTime());

    const edit = await new Client(server.url).withToken(author.token).patch(`/api/v1/posts/${post.id}`, { body: '更新后续航很满意，车机也流畅了，点赞' });
    expect(edit.status, edit.text).to.equal(200);
    await server.resonance.dispatcher.drain();
    const after = (await analyzedEvents()).filter((x) => x.kind === 'post' && x.id === post.id);
    expect(after.map((x) => x.first)).to.deep.equal([true, false]);
    expect(after[1].label).to.equal('positive');
  });

  it('records one event per mention of an ingested batch, with the handle and follower count', async () => {
    const admin = await buildUser({ role: 'admin' });
    const key = (await new Client(server.url).withToken(admin.token).post('/api/v1/api-keys', { name: 'c', scopes: ['ingest'] })).body.key;
    const publishedAt = '2026-11-30T08:00:00.000Z';
    const items = [
      { source: 'weibo', externalId: 'ia-1', author: { handle: '数码大V', followers: 250_000 }, text: '这手机拍照真不错，值了', publishedAt },
      { source: 'douyin', externalId: 'ia-2', author: { handle: 'someone' }, text: '电池鼓包了，售后还不理人', publishedAt },
    ];
    expect((await new Client(server.url).withToken(key).post('/api/v1/mentions', { items })).status).to.equal(202);
    await server.resonance.dispatcher.drain();
    const mentions = (await analyzedEvents()).filter((e) => e.kind === 'mention');
    expect(mentions.map((m) => [m.source, m.handle, m.followers, m.authorId, m.chapterId, m.createdAt])).to.deep.equal([
      ['weibo', '数码大V', 250_000, null, null, publishedAt],
      ['douyin', 'someone', null, null, null, publishedAt],
    ]);
    expect(mentions[1].label).to.equal('negative');
  });
});
