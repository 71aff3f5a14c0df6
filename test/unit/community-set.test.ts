/** The community evaluation set (issue #11) stays well-formed and as large as the issue asks. */
import path from 'node:path';
import { expect } from 'chai';
import { loadCommunitySet, splitOf } from '../../search/eval/community/stats';

describe('community evaluation set', () => {
  const errors: string[] = [];
  const rows = [...loadCommunitySet(path.resolve('search/eval/community'), errors).values()].flat();

  it('every line is valid: shape, unique ids and texts, crisis ⇒ negative', () => {
    expect(errors).to.deep.equal([]);
  });

  it('has at least 1,200 zh and 400 en posts, with crisis posts, split into halves', () => {
    const zh = rows.filter((r) => r.lang === 'zh');
    const en = rows.filter((r) => r.lang === 'en');
    expect(zh.length).to.be.at.least(1200);
    expect(en.length).to.be.at.least(400);
    expect(zh.filter((r) => r.crisis).length).to.be.greaterThan(100);
    const test = rows.filter((r) => splitOf(r.id) === 'test').length;
    expect(test / rows.length).to.be.within(0.4, 0.6);
  });
});
