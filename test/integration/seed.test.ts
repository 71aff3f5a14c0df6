import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Op } from 'sequelize';
import { loadConfig, type Config } from '../../server/config';
import { openDatabase, closeDatabase } from '../../server/db';
import { Category, Chapter, Flag, Like, Membership, OutboxEvent, Post, Thread, User } from '../../server/models';
import { seedDemo, type SeedSummary } from '../../server/seed';
import { verifyPassword } from '../../server/passwords';

describe('npm run seed -- --demo', function () {
  this.timeout(120_000);
  let dataDir: string;
  let config: Config;
  let first: SeedSummary;
  const lines: string[] = [];

  before(async function () {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-seed-'));
    config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir });
    first = await seedDemo(config, { demo: true, out: (line) => lines.push(line) });
    await openDatabase(config);
  });

  after(async function () {
    await closeDatabase();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a summary and the shared demo login', function () {
    expect(lines[0]).to.match(/60 threads, \d+ posts/);
    expect(lines[1]).to.include('demo_mod').and.include('resonance-demo');
  });

  it('creates chapters, categories, members and staff in the expected ranges', async function () {
    expect(await Chapter.count()).to.equal(6);
    expect(await Category.count()).to.equal(6);
    const users = await User.count();
    expect(users).to.be.within(40, 45);
    expect((await User.findOne({ where: { username: 'demo_mod' } }))?.role).to.equal('moderator');
    const pr = await User.findOne({ where: { username: 'demo_pr' } });
    expect(pr?.role).to.equal('pr');
    expect(await verifyPassword('resonance-demo', pr!.passwordHash)).to.equal(true);
    for (const u of await User.findAll({ where: { role: 'member' } })) expect(u.username).to.match(/^[a-z0-9_]{3,32}$/);
  });

  it('writes ~60 threads and 300-400 posts with consistent counters and times', async function () {
    const threads = await Thread.findAll();
    expect(threads.length).to.be.within(55, 65);
    const posts = await Post.count();
    expect(posts).to.be.within(300, 400);
    expect(first.englishPosts / first.posts).to.be.within(0.08, 0.25);
    const monthAgo = Date.now() - 32 * 86_400_000;
    for (const thread of threads) {
      const own = await Post.findAll({ where: { threadId: thread.id }, order: [['id', 'ASC']] });
      expect(thread.postCount).to.equal(own.length);
      expect(thread.lastPostAt.getTime()).to.equal(own[own.length - 1].createdAt.getTime());
      expect(thread.createdAt.getTime()).to.be.above(monthAgo);
      // Ids follow time inside a thread, as in real use.
      for (let i = 1; i < own.length; i++) expect(own[i].createdAt.getTime()).to.be.at.least(own[i - 1].createdAt.getTime());
    }
    expect(await OutboxEvent.count({ where: { type: 'post.created' } })).to.equal(posts);
  });

  it('fills the private chapter: approved members, pending requests, its own threads', async function () {
    const owners = (await Chapter.findOne({ where: { visibility: 'private' } }))!;
    expect(await Thread.count({ where: { chapterId: owners.id } })).to.be.at.least(3);
    expect(await Membership.count({ where: { chapterId: owners.id, status: 'pending' } })).to.be.at.least(1);
    expect(owners.memberCount).to.equal(await Membership.count({ where: { chapterId: owners.id, status: 'member' } }));
  });

  it('records @mentions, replies to specific posts, likes and flags', async function () {
    const mentioning = await Post.findAll({ where: { body: { [Op.like]: '%@%' } } });
    const withMentions = mentioning.filter((p) => p.mentions.length > 0);
    expect(withMentions.length).to.be.at.least(30);
    for (const post of withMentions) for (const name of post.mentions) expect(post.body).to.include(`@${name}`);
    const mentioned = new Set(withMentions.flatMap((p) => p.mentions));
    expect(await User.count({ where: { username: { [Op.in]: [...mentioned] } } })).to.equal(mentioned.size);
    expect(await Post.count({ where: { replyToId: { [Op.ne]: null } } })).to.be.at.least(40);
    expect(await Like.count()).to.be.at.least(150);
    expect(await Flag.count()).to.be.within(3, 10);
  });

  it('is a no-op the second time', async function () {
    const before = { users: await User.count(), posts: await Post.count(), events: await OutboxEvent.count() };
    await closeDatabase();
    const again: string[] = [];
    const summary = await seedDemo(config, { demo: true, out: (line) => again.push(line) });
    await openDatabase(config);
    expect(summary.alreadySeeded).to.equal(true);
    expect(again.join('\n')).to.include('already seeded');
    expect({ users: await User.count(), posts: await Post.count(), events: await OutboxEvent.count() }).to.deep.equal(before);
  });
});
