/** server/slots.ts: a page split at its slot markers and filled per request, byte for byte. */
import { expect } from 'chai';
import { createViews } from '../../server/views';
import { fillSlots, slotMarker, splitSlots } from '../../server/slots';

describe('page slots', () => {
  it('fills every slot in order, nested slots too, and keeps the UTF-8 around them', () => {
    const page = splitSlots(`<p>你好 ${slotMarker('name')}，${slotMarker('post', 7)}</p>${slotMarker('csrf')}`);
    expect(page.slots).to.deep.equal([{ name: 'name', arg: '' }, { name: 'post', arg: '7' }, { name: 'csrf', arg: '' }]);
    const inner = splitSlots(`<form><input value="${slotMarker('csrf')}"></form>`);
    const seen: string[] = [];
    const out = fillSlots(page, (s) => {
      seen.push(`${s.name}:${s.arg}`);
      return s.name === 'name' ? '小明' : s.name === 'post' ? inner : Buffer.from('tok');
    });
    expect(out.toString('utf8')).to.equal('<p>你好 小明，<form><input value="tok"></form></p>tok');
    expect(seen).to.deep.equal(['name:', 'post:7', 'csrf:', 'csrf:']);
  });

  it('refuses HTML with a stray NUL instead of serving a half-filled page', () => {
    expect(() => splitSlots('a\u0000b')).to.throw(/stray NUL/);
  });

  it('renders the block itself unless the page asks for the slot', () => {
    const views = createViews();
    const data = { viewer: { username: 'u1', displayName: '一号' }, unread: 2, csrfToken: 't', locale: 'zh-CN' };
    const inline = views('error', { ...data, title: 'x', message: 'm' });
    const slotted = views('error', { ...data, title: 'x', message: 'm', slotted: ['account-nav'] });
    expect(inline).to.include('class="me">一号</a>');
    expect(slotted).not.to.include('class="me"');
    expect(splitSlots(slotted).slots.map((s) => s.name)).to.deep.equal(['account-nav']);
    // The slot's partial on its own is what the inline page has in its place.
    expect(inline).to.include(views.partial('account-nav', data).trim());
  });
});
