/** The event outbox: events are stored with the write, processed after commit, retried, dead-lettered, and survive a restart. */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildUser, buildThread } from '../support/factories';
import { DeadEvent, Notification, OutboxEvent, ProcessorCursor } from '../../server/models';
import type { Processor } from '../../server/workers/dispatcher';
import type { StoredEvent } from '../../server/events';

describe('event outbox', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('records the domain event in the same transaction as the write', async () => {
    server = await startServer();
    const before = await OutboxEvent.count();
    const { thread, post } = await buildThread();
    const events = await OutboxEvent.findAll({ where: {}, order: [['id', 'ASC']] });
    const mine = events.slice(before).map((e) => ({ type: e.type, payload: e.payload }));
    expect(mine).to.deep.include({ type: 'thread.created', payload: { threadId: thread.id, postId: post.id, authorId: thread.authorId, chapterId: null } });
    expect(mine.map((e) => e.type)).to.include('post.created');
  });

  it('retries a processor that throws until it succeeds, in order', async () => {
    const seen: number[] = [];
    let failuresLeft = 2;
    const flaky: Processor<'post.created'> = {
      name: 'test-flaky',
      handles: ['post.created'],
      async handle(event: StoredEvent<'post.created'>) {
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new Error('transient failure');
        }
        seen.push(event.postId);
      },
    };
    server = await startServer({}, { processors: [flaky as Processor] });
    const a = await buildThread();
    const b = await buildThread();
    await server.resonance.dispatcher.drain(10_000);
    expect(failuresLeft).to.equal(0);
    expect(seen).to.deep.equal([a.post.id, b.post.id]);
    const cursor = await ProcessorCursor.findByPk('test-flaky');
    expect(cursor!.attempts).to.equal(0);
    expect(await DeadEvent.count({ where: { processor: 'test-flaky' } })).to.equal(0);
  });

  it('dead-letters a poison event after max attempts and keeps processing the rest', async () => {
    const seen: number[] = [];
    let poisonId = -1;
    const picky: Processor<'post.created'> = {
      name: 'test-picky',
      handles: ['post.created'],
      async handle(event) {
        if (event.postId === poisonId) throw new Error('cannot handle this one');
        seen.push(event.postId);
      },
    };
    server = await startServer({}, { processors: [picky as Processor], dispatcher: { maxAttempts: 3, backoffBaseMs: 5 } });
    const poison = await buildThread();
    poisonId = poison.post.id;
    const after = await buildThread();
    await server.resonance.dispatcher.drain(10_000);
    expect(seen).to.include(after.post.id);
    expect(seen).to.not.include(poison.post.id);
    const dead = await DeadEvent.findAll({ where: { processor: 'test-picky' } });
    expect(dead).to.have.length(1);
    expect(dead[0].error).to.contain('cannot handle this one');
  });

  it('loses no event when the process stops between commit and processing', async () => {
    server = await startServer();
    const dataDir = server.dataDir;
    // Stop the processors: the write still commits with its event, as if we crashed right after.
    await server.resonance.dispatcher.stop();
    const mentioned = await buildUser();
    const author = await buildUser();
    const api = new Client(server.url).withToken(author.token);
    const res = await api.post('/api/v1/threads', { title: '重启测试', body: `@${mentioned.username} 看这里` });
    expect(res.status).to.equal(201);
    expect(await Notification.count({ where: { userId: mentioned.user.id } })).to.equal(0);
    await server.close({ keepData: true });

    server = await startServer({ DATA_DIR: dataDir });
    await server.resonance.dispatcher.drain(10_000);
    const notes = await Notification.findAll({ where: { userId: mentioned.user.id } });
    expect(notes).to.have.length(1);
    expect(notes[0].kind).to.equal('mention');
    expect(String(notes[0].postId)).to.equal(res.body.post.id);
  });

  it('is idempotent: replaying the outbox creates no duplicate notifications', async () => {
    server = await startServer();
    const mentioned = await buildUser();
    await buildThread({ body: `你好 @${mentioned.username}` });
    await server.resonance.dispatcher.drain();
    expect(await Notification.count({ where: { userId: mentioned.user.id } })).to.equal(1);
    // Rewind the cursor as if the cursor update had been lost in a crash.
    await ProcessorCursor.update({ lastEventId: 0 }, { where: { name: 'notify' } });
    server.resonance.dispatcher.kick();
    await server.resonance.dispatcher.drain();
    expect(await Notification.count({ where: { userId: mentioned.user.id } })).to.equal(1);
  });

  it('reports backlog and lag on /healthz', async () => {
    server = await startServer();
    await server.resonance.dispatcher.stop();
    await buildThread();
    const health = await new Client(server.url).get('/healthz');
    expect(health.status).to.equal(200);
    expect(health.body.ok).to.equal(true);
    expect(health.body.pipeline.backlog).to.be.greaterThan(0);
    expect(health.body.pipeline.lagSeconds).to.be.a('number');
  });

  it('processes, in id order, rows another process wrote between this process\'s own (the in-memory tail only serves consecutive ids)', async () => {
    const seen: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holdPostId = -1;
    const recorder: Processor<'post.created'> = {
      name: 'test-order',
      handles: ['post.created'],
      async handle(event) {
        // Hold the lane on one event while other writes land behind it.
        if (event.postId === holdPostId) await gate;
        seen.push(event.eventId);
      },
    };
    server = await startServer({}, { processors: [recorder as Processor] });
    const held = await buildThread();
    holdPostId = held.post.id;
    // Written straight to the table, as a second process would: never seen by this one's listeners.
    const foreign = await OutboxEvent.create({ type: 'post.created', payload: { postId: 1e6, threadId: 1, authorId: 1, chapterId: null, replyToId: null, mentions: 0 } });
    await buildThread(); // remembered in memory, with ids after the foreign row
    release();
    await server.resonance.dispatcher.drain(10_000);
    const all = (await OutboxEvent.findAll({ where: { type: 'post.created' }, order: [['id', 'ASC']] })).map((e) => e.id);
    // A new processor starts at the beginning: it must have seen every row, once, in order.
    expect(seen).to.deep.equal(all);
    expect(seen).to.include(foreign.id);
  });
});
