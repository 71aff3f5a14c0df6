/** The community evaluation set (issue #11) stays well-formed and as large as the issue asks. */
import path from 'node:path';
import { expect } from 'chai';
import { normalizeText } from '../../search/analysis/normalize';
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

describe('community training posts', () => {
  const errors: string[] = [];
  const train = [...loadCommunitySet(path.resolve('search/train/community'), errors).values()].flat();
  const evalTexts = new Set([...loadCommunitySet(path.resolve('search/eval/community')).values()].flat().map((r) => normalizeText(r.text)));

  it('every line is valid, in both languages, with crisis posts', () => {
    expect(errors).to.deep.equal([]);
    expect(train.filter((r) => r.lang === 'zh').length).to.be.at.least(1000);
    expect(train.filter((r) => r.lang === 'en').length).to.be.at.least(300);
    expect(train.filter((r) => r.crisis).length).to.be.greaterThan(100);
  });

  it('shares no post with the evaluation set, so the test half stays unseen', () => {
    expect(train.filter((r) => evalTexts.has(normalizeText(r.text))).map((r) => r.id)).to.deep.equal([]);
    expect(train.filter((r) => r.id.startsWith('tr-')).length).to.equal(train.length);
  });
});
