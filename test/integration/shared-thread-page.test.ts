/**
 * The thread page is rendered once per audience and each request fills its own slots
 * (server/slots.ts): every viewer must still see exactly their own page, whoever filled the cache.
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { addMember, buildChapter, buildPost, buildThread, buildUser, type BuiltUser } from '../support/factories';
import { Notification } from '../../server/models';
import { threadPageCache } from '../../server/routes/pages/forum';

const csrfOf = (html: string) => /name="csrf-token" content="([^"]+)"/.exec(html)![1];
const formTokens = (html: string) => [...html.matchAll(/name="_csrf" value="([^"]*)"/g)].map((m) => m[1]);
const accountNav = (html: string) => /<div class="account-nav">([\s\S]*?)<\/div>\s*<\/div>\s*<\/header>/.exec(html)![1];
/** The footer of one post: what this viewer may do with it. */
const actionsOf = (html: string, postId: number) => {
  const article = new RegExp(`<article[^>]* id="p${postId}"[\\s\\S]*?</article>`).exec(html);
  if (!article) throw new Error(`post ${postId} is not on the page`);
  return /<footer class="post-actions">([\s\S]*?)<\/footer>/.exec(article[0])![1];
};

describe('thread page shared between viewers (slots)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.close());

  async function signedIn(u: BuiltUser): Promise<Client> {
    const c = new Client(server.url);
    await c.browserLogin(u.username, u.password);
    return c;
  }

  it('gives each member their own name, likes, links and CSRF token from one cached render', async () => {
    const [alice, bob, carol] = await Promise.all([
      buildUser({ displayName: '艾丽丝甲' }),
      buildUser({ displayName: '鲍勃乙' }),
      buildUser({ displayName: '卡萝丙' }),
    ]);
    const { thread, post: first } = await buildThread({ author: alice, title: '共享页面测试' });
    const { post: bobsPost } = await buildPost({ thread, author: bob, body: '鲍勃的回复' });
    const clients = { alice: await signedIn(alice), bob: await signedIn(bob), carol: await signedIn(carol) };
    expect((await clients.carol.post(`/p/${first.id}/like`, new URLSearchParams({ _csrf: clients.carol.csrf! }))).status).to.equal(303);

    const before = threadPageCache().entries;
    const pages: Record<string, string> = {};
    for (const [name, c] of Object.entries(clients)) {
      const res = await c.get(`/t/${thread.id}`);
      expect(res.status, name).to.equal(200);
      pages[name] = res.text;
    }
    // Three members of one audience: one render between them.
    expect(threadPageCache().entries - before).to.equal(1);

    const users = { alice, bob, carol };
    for (const [name, html] of Object.entries(pages)) {
      const me = users[name as keyof typeof users];
      const nav = accountNav(html);
      expect(nav, name).to.include(`href="/u/${me.username}" class="me">${me.user.displayName}</a>`);
      expect(html, name).to.include(`data-username="${me.username}"`);
      for (const other of Object.values(users)) if (other !== me) expect(nav, `${name}'s menu`).not.to.include(other.username);
      // Carol wrote nothing: her name appears in her own page only.
      if (me !== carol) expect(html, name).not.to.include(carol.user.displayName);
      // Every form carries this viewer's token, the one their cookie was issued with.
      const tokens = formTokens(html);
      expect(tokens.length, name).to.be.greaterThan(2);
      expect(new Set(tokens), name).to.deep.equal(new Set([csrfOf(html)]));
      expect(html, name).not.to.include('\u0000');
    }
    // Edit and delete on one's own posts only; no like button on them.
    expect(actionsOf(pages.alice, first.id)).to.include(`/p/${first.id}/edit`).and.not.to.include('/like');
    expect(actionsOf(pages.alice, bobsPost.id)).not.to.include('/edit');
    expect(actionsOf(pages.bob, bobsPost.id)).to.include(`/p/${bobsPost.id}/edit`);
    expect(actionsOf(pages.bob, first.id)).to.include(`action="/p/${first.id}/like"`);
    // Carol liked the first post: hers says unlike; nobody else's does.
    expect(actionsOf(pages.carol, first.id)).to.include(`action="/p/${first.id}/unlike"`);
    expect(actionsOf(pages.carol, bobsPost.id)).to.include(`action="/p/${bobsPost.id}/like"`);
    expect(pages.bob).not.to.include('/unlike');
    // No hide links for members.
    expect(pages.bob).not.to.include('/hide"');

    // The tokens work: Bob likes Alice's post with the form token from the shared page.
    const liked = await clients.bob.post(`/p/${first.id}/like`, new URLSearchParams({ _csrf: formTokens(pages.bob)[0] }));
    expect(liked.status).to.equal(303);
    expect(actionsOf((await clients.bob.get(`/t/${thread.id}`)).text, first.id)).to.include('/unlike');
  });

  it('shows a new notification count at once, with the page still cached', async () => {
    const [author, reader] = await Promise.all([buildUser(), buildUser()]);
    const { thread } = await buildThread({ author });
    const c = await signedIn(reader);
    expect(accountNav((await c.get(`/t/${thread.id}`)).text)).to.match(/class="badge hidden" data-unread-badge>0</);
    const entries = threadPageCache().entries;
    await Notification.create({ userId: reader.user.id, kind: 'reply', actorId: author.user.id, threadId: thread.id, postId: null, chapterId: null, readAt: null });
    const html = (await c.get(`/t/${thread.id}`)).text;
    expect(threadPageCache().entries, 'served from the same render').to.equal(entries);
    expect(accountNav(html)).to.match(/class="badge" data-unread-badge>1</);
  });

  it('keeps moderators and staff on pages of their own, whoever read first', async () => {
    const chapter = await buildChapter();
    const [member, moderator, admin] = await Promise.all([buildUser(), buildUser({ role: 'moderator' }), buildUser({ role: 'admin' })]);
    await addMember(chapter, member);
    const { thread, post: first } = await buildThread({ author: member, chapter });
    const { post: adminsPost } = await buildPost({ thread, author: admin, body: '管理员的回复' });
    const memberPage = (await (await signedIn(member)).get(`/t/${thread.id}`)).text;
    const modPage = (await (await signedIn(moderator)).get(`/t/${thread.id}`)).text;
    const adminPage = (await (await signedIn(admin)).get(`/t/${thread.id}`)).text;
    const anonPage = (await new Client(server.url).get(`/t/${thread.id}`)).text;

    expect(memberPage).not.to.include('/hide"').and.not.to.include('/admin/people/');
    expect(actionsOf(modPage, first.id)).to.include(`/p/${first.id}/hide`).and.to.include(`/p/${first.id}/edit`);
    expect(modPage).to.include('href="/desk"');
    expect(memberPage).not.to.include('href="/desk"');
    // The sanction link is on every author's post but the admin's own.
    expect(adminPage).to.include(`/admin/people/${member.username}#sanction`);
    expect(adminPage).not.to.include(`/admin/people/${admin.username}#sanction`);
    expect(modPage).to.include(`/admin/people/${admin.username}#sanction`);
    // Anonymous readers: no account menu of anybody, a sign-in link, no forms.
    expect(accountNav(anonPage)).to.include('href="/login?next=').and.not.to.include('class="me"');
    expect(actionsOf(anonPage, adminsPost.id)).not.to.include('<form');
  });
});
