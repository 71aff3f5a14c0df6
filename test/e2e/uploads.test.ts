/**
 * Photos in a real browser: a member sets an avatar on /settings, then in a thread picks a photo
 * with the composer's image button and pastes a second one into the reply box, adds a sticker
 * from the picker and posts. The reply shows both images (loaded, sized) and the sticker.
 * Screenshots: test-artifacts/e2e/uploads-thread.png and uploads-settings.png.
 */
import path from 'node:path';
import sharp from 'sharp';
import { expect } from 'chai';
import { buildThread, buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';

/** A photo-like JPEG: a sky-to-road gradient with a "car" block. */
async function photo(width: number, height: number, hue: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8ec5ff"/><stop offset=".6" stop-color="#e8f1ff"/><stop offset=".6" stop-color="#666"/><stop offset="1" stop-color="#333"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><rect x="${width * 0.25}" y="${height * 0.45}" width="${width * 0.5}" height="${height * 0.2}" rx="${height * 0.05}" fill="${hue}"/><circle cx="${width * 0.35}" cy="${height * 0.66}" r="${height * 0.06}" fill="#111"/><circle cx="${width * 0.65}" cy="${height * 0.66}" r="${height * 0.06}" fill="#111"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

describe('photos and stickers in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer({ width: 1100, height: 900 });

  it('a member sets an avatar, then picks and pastes photos into a reply that shows them', async () => {
    const owner = await buildUser({ displayName: '车主老陈' });
    const { thread } = await buildThread({ author: owner, title: '周末自驾去大鹏，晒几张图', body: '天气很好，路上车也不多。' });
    const member = await buildUser({ displayName: '深圳小周' });
    const page = await e2e.loggedIn(member);

    // Avatar on the settings page.
    await page.goto(`${e2e.server.url}/settings`);
    await Promise.all([
      page.waitForURL(/saved=avatar/),
      page.setInputFiles('[data-avatar-input]', { name: 'me.jpg', mimeType: 'image/jpeg', buffer: await photo(400, 300, '#e4572e') }),
    ]);
    await page.waitForSelector('[data-avatar-form] .avatar img');
    await page.screenshot({ path: path.join(ARTIFACTS, 'uploads-settings.png'), fullPage: true });

    await page.goto(`${e2e.server.url}/t/${thread.id}`);
    await page.fill('#reply-body', '我也去了！');
    // Picked with the image button's file input.
    await page.setInputFiles('[data-composer-tools] [data-upload-input]', { name: 'road.jpg', mimeType: 'image/jpeg', buffer: await photo(1600, 1200, '#1f77b4') });
    await page.waitForFunction(() => /!\[\]\(\/uploads\/[a-f0-9]{32}-1280x960\.webp\)/.test((document.querySelector('#reply-body') as HTMLTextAreaElement).value));
    // Pasted from the clipboard into the text box.
    const pasted = (await photo(800, 600, '#2ca02c')).toString('base64');
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'clipboard.jpg', { type: 'image/jpeg' }));
      const box = document.querySelector('#reply-body') as HTMLTextAreaElement;
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, pasted);
    await page.waitForFunction(() => /800x600\.webp\)/.test((document.querySelector('#reply-body') as HTMLTextAreaElement).value));
    // A sticker from the picker.
    await page.click('[data-sticker-button]');
    await page.click('[data-sticker-panel] button[data-code="[赞]"]');
    expect(await page.inputValue('#reply-body')).to.contain('[赞]');

    await page.click('[data-reply-form] button[type="submit"]');
    const reply = page.locator('.post', { hasText: '我也去了' });
    await reply.locator('img[src$="1280x960.webp"]').waitFor();
    await reply.locator('img[src$="800x600.webp"]').waitFor();
    await page.reload();
    const images = page.locator('.post', { hasText: '我也去了' }).locator('.post-body a.upload img');
    expect(await images.count()).to.equal(2);
    const loaded = await images.evaluateAll((imgs) => Promise.all((imgs as HTMLImageElement[]).map(async (img) => {
      img.scrollIntoView();
      await img.decode();
      return { w: img.getAttribute('width'), h: img.getAttribute('height'), lazy: img.loading, natural: img.naturalWidth };
    })));
    expect(loaded.map((i) => [i.w, i.h, i.lazy])).to.deep.equal([['1280', '960', 'lazy'], ['800', '600', 'lazy']]);
    expect(loaded.every((i) => i.natural > 0)).to.equal(true);
    expect(await page.locator('.post', { hasText: '我也去了' }).locator('img.sticker[alt="[赞]"]').count()).to.equal(1);
    // The member's avatar shows on their reply.
    expect(await page.locator('.post', { hasText: '我也去了' }).locator('.avatar img').getAttribute('src')).to.match(/^\/uploads\/[a-f0-9]{32}-192x192\.thumb\.webp$/);
    await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header stays at the top of a full-page shot
    await page.screenshot({ path: path.join(ARTIFACTS, 'uploads-thread.png'), fullPage: true });
  });
});
