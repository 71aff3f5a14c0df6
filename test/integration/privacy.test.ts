/** A member's own data: the JSON export, and deleting the account without leaving anything in listening. */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildPost, buildThread, buildUser } from '../support/factories';
import { Analysis, Credential, MemberProfile, Post, User } from '../../server/models';

describe('own data: export and account deletion', function () {
  this.timeout(30_000);
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.close());

  it('exports the member’s profile, posts, likes, memberships, credentials (no secrets) and what listening inferred', async () => {
    const u = await buildUser({ displayName: '导出测试' });
    await new Client(server.url).withToken(u.token).patch('/api/v1/me', { bio: '导出的简介', privacy: { hideLikes: true } });
    const { thread, post } = await buildThread({ author: u, body: '车机升级后导航很流畅，点赞' });
    const other = await buildPost({ thread, body: '同感' });
    await new Client(server.url).withToken(u.token).post(`/api/v1/posts/${other.post.id}/like`);
    await server.resonance.dispatcher.drain();
    const res = await new Client(server.url).withToken(u.token).get('/api/v1/me/export');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-disposition')).to.include('attachment');
    expect(res.body.user).to.include({ username: u.username, displayName: '导出测试' });
    expect(res.body.profile).to.deep.equal({ bio: '导出的简介', hideLikes: true, hideChapters: false, hideLastSeen: false });
    expect(res.body.posts.map((p: { id: string }) => p.id)).to.deep.equal([String(post.id)]);
    expect(res.body.likes).to.deep.equal([{ postId: String(other.post.id), createdAt: res.body.likes[0].createdAt }]);
    expect(res.body.analyses[0]).to.include({ postId: String(post.id), sentiment: 'positive' });
    expect(res.body.credentials[0]).to.have.keys(['kind', 'name', 'createdAt', 'lastUsedAt', 'revoked']);
    expect(res.text).to.not.include(u.token);
    expect(res.text).to.not.match(/scrypt|secretHash|passwordHash/);
    expect((await new Client(server.url).get('/api/v1/me/export')).status).to.equal(401);
  });

  it('deletes an account: posts stay under an anonymous name, the listening index and analyses forget them, sessions end', async () => {
    const u = await buildUser({ displayName: '要注销的人' });
    await new Client(server.url).withToken(u.token).patch('/api/v1/me', { bio: '要注销的简介' });
    const marker = `注销标记${Date.now()}`;
    const { thread, post } = await buildThread({ author: u, body: `${marker} 售后太慢了，很失望` });
    await server.resonance.dispatcher.drain();
    const pr = await buildUser({ role: 'pr' });
    const staff = new Client(server.url).withToken(pr.token);
    expect((await staff.get(`/api/v1/search?q=${encodeURIComponent(marker)}`)).body.total).to.equal(1);

    const me = new Client(server.url).withToken(u.token);
    expect((await me.delete('/api/v1/me', { password: 'wrong-password' })).status).to.equal(400);
    expect((await me.delete('/api/v1/me', { password: u.password })).status).to.equal(204);
    await server.resonance.dispatcher.drain();

    expect((await staff.get(`/api/v1/search?q=${encodeURIComponent(marker)}`)).body.total).to.equal(0);
    expect(await Analysis.count({ where: { docId: `post:${post.id}` } })).to.equal(0);
    expect((await me.get('/api/v1/me')).status).to.equal(401);
    expect(await Credential.count({ where: { userId: u.user.id, revokedAt: null } })).to.equal(0);
    const login = await new Client(server.url).post('/api/v1/auth/login', { username: u.username, password: u.password });
    expect(login.status).to.equal(401);
    const row = await User.findByPk(u.user.id);
    expect(row!.username).to.equal(`deleted_${u.user.id}`);
    expect(await Post.count({ where: { id: post.id } })).to.equal(1);
    const page = await new Client(server.url).get(`/t/${thread.id}`);
    expect(page.text).to.include(marker);
    expect(page.text).to.not.include('要注销的人');
    expect(await MemberProfile.count({ where: { userId: u.user.id } })).to.equal(0);
    // The username is free again for someone else.
    expect((await new Client(server.url).post('/api/v1/auth/register', { username: u.username, password: 'another-password' })).status).to.equal(201);
  });
});
