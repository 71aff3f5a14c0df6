import { expect } from 'chai';
import { featureVector, zhFeatures } from '../../search/analysis/features-zh';
import { hashOf } from '../../search/analysis/hash-table';
import { normalizeText } from '../../search/analysis/normalize';
import { hashedFeatureVector, scoreZhTokens, zhModel } from '../../search/analysis/sentiment-zh';
import { lexNormalized } from '../../search/analysis/tokenize';

const tokensOf = (text: string) => lexNormalized(normalizeText(text)).sentimentTokens;

describe('Chinese sentiment features', () => {
  const texts = [
    '不是不好',
    '一点也不满意，太差了。。。',
    '没想到这么好！[哈哈]😂',
    '质量很好，但是续航很拉胯？@小米 https://x.cn',
    '用了3天就坏了，不太满意，非常失望，再也不买了'.repeat(20),
    '',
  ];

  it('scores exactly the features the trainer sees (hashing from characters = hashing string keys)', () => {
    for (const text of texts) {
      const tokens = tokensOf(text);
      const fromKeys = new Map([...featureVector(zhFeatures(tokens))].map(([k, v]): [number, number] => [hashOf(k), v]));
      const hashed = hashedFeatureVector(tokens);
      expect(hashed.size, text).to.equal(fromKeys.size);
      for (const [h, v] of fromKeys) expect(hashed.get(h), text).to.be.closeTo(v, 1e-9);
    }
  });

  it('marks negation, double negation and degree in the keys', () => {
    const keys = (text: string) => [...featureVector(zhFeatures(tokensOf(text))).keys()];
    expect(keys('不太满意')).to.include('n:满意');
    expect(keys('不是不好')).to.include('w:好');
    expect(keys('不是不好')).to.not.include('n:好');
    expect(featureVector(zhFeatures(tokensOf('非常满意'))).get('w:满意')).to.equal(1.5);
    expect(featureVector(zhFeatures(tokensOf('有点满意'))).get('w:满意')).to.be.lessThan(1);
  });

  it('loads the committed model with (almost) no hash collisions', () => {
    const { model, table } = zhModel();
    expect(Object.keys(model.weights).length).to.be.within(10_000, 300_000);
    expect(table.collisions).to.be.at.most(5);
    for (const [key, w] of Object.entries(model.weights).slice(0, 500)) expect(table.get(hashOf(key))).to.be.closeTo(w, 1e-3);
  });

  it('keeps the score calibrated into [-1,1] and explains it', () => {
    for (const text of texts) {
      const s = scoreZhTokens(tokensOf(text));
      expect(s.score).to.be.within(-1, 1);
      expect(s.probability).to.be.within(0, 1);
      expect(s.contributions.length).to.be.at.most(8);
    }
  });
});
