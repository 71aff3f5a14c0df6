/** The LRU cache behind the page, snapshot and session caches: bounds by count and bytes, active expiry. */
import { expect } from 'chai';
import { LruCache } from '../../server/cache/lru';

describe('LruCache', () => {
  it('evicts the least recently used entry over the count bound', () => {
    const c = new LruCache<string, number>(2, 1_000);
    c.set('a', 1, 0);
    c.set('b', 2, 0);
    expect(c.get('a', 1)).to.equal(1); // a is now the most recent
    c.set('c', 3, 2);
    expect([c.get('a', 3), c.get('b', 3), c.get('c', 3)]).to.deep.equal([1, undefined, 3]);
  });

  it('keeps the bytes it holds within maxBytes, evicting oldest first, and refuses a value larger than the budget', () => {
    const c = new LruCache<string, string>(1_000, 1_000, { maxBytes: 10, sizeOf: (v) => v.length });
    c.set('a', 'xxxx', 0);
    c.set('b', 'yyyy', 0);
    expect(c.bytes).to.equal(8);
    c.set('c', 'zzzz', 0);
    expect(c.bytes).to.equal(8);
    expect(c.get('a', 1)).to.equal(undefined);
    c.set('huge', 'w'.repeat(11), 0);
    expect(c.get('huge', 1)).to.equal(undefined);
    expect(c.bytes).to.equal(8);
    c.set('b', 'y', 0); // replacing a key gives its old bytes back
    expect(c.bytes).to.equal(5);
    c.delete('c');
    expect(c.bytes).to.equal(1);
  });

  it('sweep() drops expired entries nobody asks for again, and their bytes', () => {
    const c = new LruCache<string, string>(1_000, 100, { maxBytes: 1_000, sizeOf: (v) => v.length });
    for (let i = 0; i < 10; i++) c.set(`k${i}`, 'x'.repeat(10), i < 5 ? 0 : 50);
    c.sweep(120);
    expect(c.size).to.equal(5);
    expect(c.bytes).to.equal(50);
    c.sweep(200);
    expect([c.size, c.bytes]).to.deep.equal([0, 0]);
  });

  it('does not look up inherited properties as keys', () => {
    const c = new LruCache<string, number>(10, 1_000);
    expect(c.get('constructor')).to.equal(undefined);
    expect(c.get('__proto__')).to.equal(undefined);
  });
});
