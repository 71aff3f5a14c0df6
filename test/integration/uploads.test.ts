/** Uploads end to end: real files through the real server, real storage on disk, sharp to inspect what is served. */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildUser, buildThread, type BuiltUser } from '../support/factories';
import { jpegRotated, jpegWithGps, metadataOf, noisyJpeg, pngBomb, solidPng } from '../support/images';

const QUOTA = 400_000;

describe('uploads', function () {
  this.timeout(30_000);
  let server: TestServer;

  before(async () => {
    server = await startServer({ UPLOAD_QUOTA_BYTES_PER_MEMBER: String(QUOTA), UPLOAD_MAX_BYTES: String(2 * 1024 * 1024) });
  });
  after(async () => server.close());

  /** POST /api/v1/uploads as multipart field `file` (CONTRACT), with the name and type a browser would send. */
  async function upload(who: BuiltUser, data: Buffer, filename = 'photo.jpg', type = 'image/jpeg', headers: Record<string, string> = {}) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(data)], { type }), filename);
    const res = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${who.token}`, ...headers } });
    return { status: res.status, body: (await res.json()) as any };
  }
  async function fetchBytes(path: string) {
    const res = await fetch(server.url + path);
    return { res, data: Buffer.from(await res.arrayBuffer()) };
  }

  it('stores a PNG as WebP variants and answers with the contract shape', async () => {
    const alice = await buildUser();
    const r = await upload(alice, await solidPng(640, 480), 'red.png', 'image/png');
    expect(r.status).to.equal(201);
    expect(r.body.upload).to.include({ width: 640, height: 480 });
    expect(r.body.upload.id).to.be.a('string');
    expect(r.body.upload.url).to.match(/^\/uploads\/[a-f0-9]{32}-640x480\.webp$/);
    expect(r.body.upload.markdown).to.equal(`![](${r.body.upload.url})`);
    const display = await fetchBytes(r.body.upload.url);
    expect((await metadataOf(display.data))).to.include({ format: 'webp', width: 640, height: 480 });
    const thumb = await fetchBytes(r.body.upload.thumbnailUrl);
    expect((await metadataOf(thumb.data))).to.include({ format: 'webp', width: 320, height: 240 });
    // The raw body (no multipart) is accepted too.
    const raw = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', body: new Uint8Array(await solidPng(10, 10, "#0a0")), headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/octet-stream' } });
    expect(raw.status).to.equal(201);
  });

  it('refuses a text file named .png, by content, with a localized message', async () => {
    const bob = await buildUser();
    const r = await upload(bob, Buffer.from('just some text, not a picture\n'.repeat(20)), 'cat.png', 'image/png');
    expect(r.status).to.equal(400);
    expect(r.body.error).to.include({ code: 'validation_failed', field: 'file' });
    expect(r.body.error.message).to.contain('JPEG、PNG、WebP 或 GIF');
    const en = await upload(bob, Buffer.from('hello'), 'cat.png', 'image/png', { 'accept-language': 'en' });
    expect(en.body.error.message).to.contain('Only JPEG, PNG, WebP or GIF');
  });

  it('refuses an SVG carrying a script, whatever it is called', async () => {
    const bob = await buildUser();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>');
    for (const [name, type] of [['x.svg', 'image/svg+xml'], ['x.png', 'image/png']]) {
      const r = await upload(bob, svg, name, type);
      expect(r.status, name).to.equal(400);
      expect(r.body.error.code).to.equal('validation_failed');
    }
  });

  it('refuses a decompression bomb from its header, without decoding it', async () => {
    const bob = await buildUser();
    const bomb = pngBomb(20000);
    expect(bomb.length).to.be.below(2000);
    const before = process.memoryUsage().rss;
    const r = await upload(bob, bomb, 'tiny.png', 'image/png');
    expect(r.status).to.equal(413);
    expect(r.body.error.code).to.equal('payload_too_large');
    expect(r.body.error.message).to.contain('百万像素');
    // Decoding 400 million pixels would take over a gigabyte; the process stayed where it was and still works.
    expect(process.memoryUsage().rss - before).to.be.below(200 * 1024 * 1024);
    expect((await fetch(`${server.url}/healthz`)).status).to.equal(200);
    expect((await upload(bob, await solidPng(), 'ok.png', 'image/png')).status).to.equal(201);
  });

  it('refuses a file over UPLOAD_MAX_BYTES with 413', async () => {
    const bob = await buildUser();
    const r = await upload(bob, Buffer.alloc(3 * 1024 * 1024, 1), 'big.jpg');
    expect(r.status).to.equal(413);
    expect(r.body.error.message).to.contain('2 MB');
  });

  it('strips EXIF and GPS from every served variant, keeping the orientation', async () => {
    const carol = await buildUser();
    const photo = await jpegWithGps();
    expect((await metadataOf(photo)).hasGps, 'the test photo carries GPS').to.equal(true);
    const r = await upload(carol, photo);
    expect(r.status).to.equal(201);
    for (const path of [r.body.upload.url, r.body.upload.thumbnailUrl]) {
      const meta = await metadataOf((await fetchBytes(path)).data);
      expect(meta, path).to.include({ hasExif: false, hasGps: false });
    }
    // A phone's portrait stored landscape with orientation 6 is served upright, with no orientation tag.
    const rotated = await upload(carol, await jpegRotated(600, 400));
    expect(rotated.body.upload).to.include({ width: 400, height: 600 });
    const served = await metadataOf((await fetchBytes(rotated.body.upload.url)).data);
    expect(served).to.include({ width: 400, height: 600, hasExif: false });
  });

  it('serves variants with safe headers, and nothing for other names', async () => {
    const dave = await buildUser();
    const r = await upload(dave, await solidPng(200, 100, '#06c'), 'a.png', 'image/png');
    const { res } = await fetchBytes(r.body.upload.url);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('image/webp');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('content-disposition')).to.match(/^inline; filename="[a-f0-9]{32}-200x100\.webp"$/);
    expect(res.headers.get('content-security-policy')).to.contain("default-src 'none'").and.to.contain('sandbox');
    // In no post yet: served, but never to shared caches (it may go into a private chapter next;
    // public and private caching: upload-access.test.ts).
    expect(res.headers.get('cache-control')).to.match(/^private\b/);
    for (const bad of ['/uploads/..%2Fresonance.sqlite', '/uploads/abc.webp', `${r.body.upload.url.replace('.webp', '.png')}`, '/uploads/00000000000000000000000000000000-1x1.webp']) {
      expect((await fetch(server.url + bad)).status, bad).to.equal(404);
    }
  });

  it('refuses an upload over the member quota with a clear message', async () => {
    const erin = await buildUser();
    let refused: { status: number; body: any } | null = null;
    for (let i = 1; i <= 40 && !refused; i++) {
      const r = await upload(erin, await noisyJpeg(900, 700, i));
      if (r.status !== 201) refused = r;
    }
    expect(refused, 'an upload was refused before 40').to.not.equal(null);
    expect(refused!.status).to.equal(409);
    expect(refused!.body.error.code).to.equal('conflict');
    expect(refused!.body.error.message).to.match(/图片空间已满.*MB/);
    const list = await new Client(server.url).withToken(erin.token).get('/api/v1/uploads');
    expect(list.body.quotaBytes).to.equal(QUOTA);
    expect(list.body.usedBytes).to.be.at.most(QUOTA);
  });

  it('keeps the quota under parallel uploads: the last free bytes go to one of them', async () => {
    const fay = await buildUser();
    // Fill the quota to just under its end, one upload at a time.
    let last = 0;
    for (let i = 1; i <= 40; i++) {
      const r = await upload(fay, await noisyJpeg(320, 240, i));
      if (r.status !== 201) {
        expect(r.status, JSON.stringify(r.body)).to.equal(409);
        break;
      }
      last = i;
    }
    const used = (await new Client(server.url).withToken(fay.token).get('/api/v1/uploads')).body.usedBytes as number;
    // Free the newest one, then send six different images at once: at most what fits is kept.
    const list = (await new Client(server.url).withToken(fay.token).get('/api/v1/uploads')).body.items as Array<{ id: string; bytes: number }>;
    expect((await new Client(server.url).withToken(fay.token).delete(`/api/v1/uploads/${list[0].id}`)).status).to.equal(204);
    const images = await Promise.all([1, 2, 3, 4, 5, 6].map((k) => noisyJpeg(320, 240, last + k)));
    const results = await Promise.all(images.map((img) => upload(fay, img)));
    const statuses = results.map((r) => r.status);
    expect(statuses.every((st) => st === 201 || st === 409), statuses.join()).to.equal(true);
    expect(statuses.filter((st) => st === 201).length, statuses.join()).to.be.at.least(1);
    expect(statuses.filter((st) => st === 409).length, statuses.join()).to.be.at.least(1);
    const after = (await new Client(server.url).withToken(fay.token).get('/api/v1/uploads')).body.usedBytes as number;
    expect(after).to.be.at.most(QUOTA);
    expect(used).to.be.at.most(QUOTA);
  });

  it('lets only the owner (or a moderator) delete an upload; nobody replaces it', async () => {
    const owner = await buildUser();
    const other = await buildUser();
    const image = await solidPng(120, 90, '#a0a');
    const mine = await upload(owner, image, 'a.png', 'image/png');
    // The same bytes from someone else: their own row, the same content-addressed files.
    const theirs = await upload(other, image, 'a.png', 'image/png');
    expect(theirs.body.upload.id).to.not.equal(mine.body.upload.id);
    expect(theirs.body.upload.url).to.equal(mine.body.upload.url);
    const asOther = new Client(server.url).withToken(other.token);
    expect((await asOther.delete(`/api/v1/uploads/${mine.body.upload.id}`)).status).to.equal(403);
    expect((await asOther.delete(`/api/v1/uploads/${theirs.body.upload.id}`)).status).to.equal(204);
    // Still served: the owner's row still names the files.
    expect((await fetch(server.url + mine.body.upload.url)).status).to.equal(200);
    expect((await new Client(server.url).delete(`/api/v1/uploads/${mine.body.upload.id}`)).status).to.equal(401);
    expect((await new Client(server.url).withToken(owner.token).delete(`/api/v1/uploads/${mine.body.upload.id}`)).status).to.equal(204);
    expect((await fetch(server.url + mine.body.upload.url)).status).to.equal(404);
    expect((await new Client(server.url).withToken(owner.token).delete(`/api/v1/uploads/${mine.body.upload.id}`)).status).to.equal(404);
  });

  it('renders our uploads as lazy images with their size, remote images as links, and sticker codes', async () => {
    const frank = await buildUser();
    const up = await upload(frank, await solidPng(800, 600, '#fa0'), 'a.png', 'image/png');
    const { thread } = await buildThread({ author: frank });
    const body = `看图 ${up.body.upload.markdown}\n\n![pixel](https://tracker.example/p.gif) [狗头] [doge] [不存在]\n\n\`[赞]\``;
    const r = await new Client(server.url).withToken(frank.token).post(`/api/v1/threads/${thread.id}/posts`, { body });
    expect(r.status).to.equal(201);
    const html: string = r.body.post.html;
    expect(html).to.contain(`<a href="${up.body.upload.url}" class="upload"`);
    expect(html).to.match(/<img src="\/uploads\/[a-f0-9]{32}-800x600\.webp" alt="" width="800" height="600" loading="lazy"/);
    expect(html).to.not.contain('<img src="https://');
    expect(html).to.contain('<a href="https://tracker.example/p.gif" rel="nofollow ugc noopener">pixel</a>');
    expect(html.match(/class="sticker"/g)).to.have.length(2);
    expect(html).to.contain('src="/static/stickers/dog.svg" alt="[狗头]"');
    expect(html).to.contain('[不存在]');
    expect(html).to.contain('<code>[赞]</code>');
    // The sticker files are served.
    expect((await fetch(`${server.url}/static/stickers/dog.svg`)).status).to.equal(200);
  });

  it('makes an upload the avatar (square variants) shown on posts, and refuses someone else\'s upload', async () => {
    const gina = await buildUser();
    const other = await buildUser();
    const up = await upload(gina, await noisyJpeg(500, 300, 7));
    const me = new Client(server.url).withToken(gina.token);
    const theirs = await upload(other, await solidPng(50, 50, '#123'), 'x.png', 'image/png');
    expect((await me.patch('/api/v1/me', { avatarUploadId: theirs.body.upload.id })).status).to.equal(403);
    const patched = await me.patch('/api/v1/me', { avatarUploadId: up.body.upload.id });
    expect(patched.status).to.equal(200);
    const avatarUrl: string = patched.body.user.avatarUrl;
    expect(avatarUrl).to.match(/^\/uploads\/[a-f0-9]{32}-192x192\.webp$/);
    expect(await metadataOf((await fetchBytes(avatarUrl)).data)).to.include({ width: 192, height: 192, hasExif: false });
    expect(await metadataOf((await fetchBytes(avatarUrl.replace('.webp', '.thumb.webp'))).data)).to.include({ width: 96, height: 96 });
    const { thread } = await buildThread({ author: gina });
    const api = await me.get(`/api/v1/threads/${thread.id}`);
    expect(api.body.posts[0].author.avatarUrl).to.equal(avatarUrl.replace('.webp', '.thumb.webp'));
    const page = await me.get(`/t/${thread.id}`);
    expect(page.text).to.contain(`src="${avatarUrl.replace('.webp', '.thumb.webp')}"`);
    const back = await me.patch('/api/v1/me', { avatarUploadId: null });
    expect(back.body.user.avatarUrl).to.equal(undefined);
    expect((await fetch(server.url + avatarUrl)).status).to.equal(404);
  });
});
