/** The shared time formatting (server views and browser code) and the icon helper. */
import { expect } from 'chai';
import Handlebars from 'handlebars';
import { formatFull, formatRelative, RELATIVE_LIMIT_MS } from '../../server/timeFormat';
import { isTimeZone, TIME_ZONES } from '../../server/timeZones';
import { ago, time } from '../../views/helpers/time';
import { icon, iconNamesIn, loadIcons } from '../../views/helpers/icon';
import { createViews } from '../../server/views';

const at = new Date('2026-11-03T12:00:00Z');
const now = at.getTime();
const options = (root: Record<string, unknown>, hash: Record<string, unknown> = {}) => ({ data: { root }, hash }) as unknown as Handlebars.HelperOptions;

describe('time formatting', () => {
  it('writes the same instant as 20:00 in Asia/Shanghai and 12:00 in UTC, in both languages, 24-hour', () => {
    expect(formatFull('zh-CN', 'Asia/Shanghai', at)).to.equal('2026年11月3日 20:00');
    expect(formatFull('zh-CN', 'UTC', at)).to.equal('2026年11月3日 12:00');
    expect(formatFull('en', 'Asia/Shanghai', at)).to.equal('Nov 3, 2026, 20:00');
    expect(formatFull('en', 'UTC', at)).to.equal('Nov 3, 2026, 12:00');
  });

  it('reads relatively up to a month, then as the date in the zone', () => {
    expect(formatRelative('zh-CN', 'UTC', at, now + 10_000)).to.equal('现在');
    expect(formatRelative('zh-CN', 'UTC', at, now + 3 * 60_000)).to.equal('3分钟前');
    expect(formatRelative('en', 'UTC', at, now + 3 * 60_000)).to.equal('3 minutes ago');
    expect(formatRelative('en', 'UTC', at, now + 5 * 3600_000)).to.equal('5 hours ago');
    expect(formatRelative('zh-CN', 'UTC', at, now + 86400_000)).to.equal('昨天');
    expect(formatRelative('en', 'UTC', at, now + 3 * 86400_000)).to.equal('3 days ago');
    // 23:00 UTC on the 3rd is already the 4th in Shanghai.
    const late = new Date('2026-11-03T23:00:00Z');
    expect(formatRelative('zh-CN', 'Asia/Shanghai', late, late.getTime() + RELATIVE_LIMIT_MS)).to.equal('2026年11月4日');
    expect(formatRelative('zh-CN', 'UTC', late, late.getTime() + RELATIVE_LIMIT_MS)).to.equal('2026年11月3日');
  });

  it('the helpers take the zone from the page, never from the language', () => {
    expect(time(at.toISOString(), options({ locale: 'en', timeZone: 'Asia/Shanghai' }))).to.equal('Nov 3, 2026, 20:00');
    expect(time(at.toISOString(), options({ locale: 'zh-CN', timeZone: 'UTC' }))).to.equal('2026年11月3日 12:00');
    const html = ago(at.toISOString(), options({ locale: 'zh-CN', timeZone: 'UTC' })).toString();
    expect(html).to.match(/^<time datetime="2026-11-03T12:00:00.000Z" title="2026年11月3日 12:00" data-ago>[^<]+<\/time>$/);
    expect(ago('not a date', options({ locale: 'zh-CN', timeZone: 'UTC' })).toString()).to.equal('');
  });

  it('knows IANA zones and refuses the rest, including prototype words', () => {
    expect(TIME_ZONES).to.include('Asia/Shanghai').and.include('UTC');
    for (const good of ['Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London']) expect(isTimeZone(good), good).to.equal(true);
    for (const bad of ['', 'Mars/Olympus', '+08:00', 'asia/shanghai', 'constructor', '__proto__', 'Asia/Shanghai ']) expect(isTimeZone(bad), bad).to.equal(false);
  });
});

describe('icons', () => {
  it('inlines a lucide SVG, hidden from screen readers, with an optional spoken label', () => {
    loadIcons(['bell']);
    const plain = icon('bell', options({})).toString();
    expect(plain).to.match(/^<svg class="icon icon-bell" aria-hidden="true" focusable="false" xmlns="http:\/\/www.w3.org\/2000\/svg" width="16" height="16" viewBox="0 0 24 24"/);
    expect(plain).to.not.contain('<!--');
    const labelled = icon('bell', options({}, { label: '通知 <b>' })).toString();
    expect(labelled).to.match(/<\/svg><span class="visually-hidden">通知 &lt;b&gt;<\/span>$/);
  });

  it('an unknown or unloaded name throws (at boot for names in templates)', () => {
    expect(() => loadIcons(['no-such-icon-anywhere'])).to.throw(/no lucide icon named "no-such-icon-anywhere"/);
    expect(() => loadIcons(['../package'])).to.throw(/bad icon name/);
    expect(() => icon('anchor', options({}))).to.throw(/not loaded at boot/);
    expect(iconNamesIn('{{icon "bell"}} x {{~icon "lock" label=(t "a")}}')).to.deep.equal(['bell', 'lock']);
  });

  it('every icon the templates use exists (the views compile)', () => {
    expect(() => createViews()).to.not.throw();
  });
});
