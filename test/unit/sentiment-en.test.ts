import { expect } from 'chai';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../search/analysis';
import { enFeatureVector, enFeatures } from '../../search/analysis/features-en';
import { hashOf } from '../../search/analysis/hash-table';
import { normalizeText } from '../../search/analysis/normalize';
import { enModel, hashedEnFeatureVector, scoreEn } from '../../search/analysis/sentiment-en';

describe('English sentiment features', () => {
  const options = () => enModel().options;
  const keys = (text: string) => [...enFeatureVector(enFeatures(normalizeText(text), options())).keys()];
  const texts = [
    "Honestly, it isn't bad.",
    'Not good at all, the screen cracked in a week!!',
    'Love it 😍 but the 256GB model was out of stock?',
    'I don’t like it, however the price is great.',
    'Never again. Worst purchase I have ever made.'.repeat(30),
    '',
  ];

  it('scores exactly the features the trainer sees (hashing parts = hashing string keys)', () => {
    for (const text of texts) {
      const n = normalizeText(text);
      const fromKeys = new Map([...enFeatureVector(enFeatures(n, options()))].map(([k, v]): [number, number] => [hashOf(k), v]));
      const hashed = hashedEnFeatureVector(n, options());
      expect(hashed.size, text).to.equal(fromKeys.size);
      for (const [h, v] of fromKeys) expect(hashed.get(h), text).to.be.closeTo(v, 1e-9);
    }
  });

  it('marks negation up to the scope, a clause break or a contrast word', () => {
    expect(keys('this is not good')).to.include.members(['w:not', 'n:good', 'b:not|good']);
    expect(keys('this is not good')).to.not.include('w:good');
    // Typographic apostrophes are apostrophes: "don’t" negates like "don't".
    expect(keys('i don’t like it')).to.include.members(["w:don't", 'n:like']);
    expect(keys('not cheap, works great')).to.include.members(['n:cheap', 'w:works', 'w:great']);
    expect(keys('not cheap but works great')).to.include.members(['w:works', 'w:great']);
    expect(keys('not cheap but works great')).to.not.include('n:works');
    const scope = enModel().model.features.negationScope;
    if (scope > 0) expect(keys(`not ${'x '.repeat(scope)}good`)).to.include('w:good');
    expect(keys('5 stars, 100%')).to.include('w:#');
  });

  it('loads the committed model: small, few hash collisions, lexicon licence noted', () => {
    const { model, table } = enModel();
    const bytes = statSync(fileURLToPath(new URL('../../search/models/sentiment-en.json', import.meta.url))).size;
    expect(bytes).to.be.below(2_000_000);
    expect(table.collisions).to.be.below(Object.keys(model.weights).length / 1000);
    if (model.features.lexicon === 'vader') expect(String(model.info?.lexicon)).to.match(/MIT/);
  });
});

describe('English sentiment model at run time', () => {
  it('reads negation and emoji (emoji from their hand-set priors)', () => {
    expect(scoreEn('not good').score).to.be.lessThan(scoreEn('good').score - 0.5);
    expect(scoreEn('😡').score).to.be.lessThan(0);
    expect(scoreEn('❤️').score).to.be.greaterThan(0);
  });

  it('explains with readable terms and weights', () => {
    const s = analyze('The battery is terrible and support was useless.').sentiment;
    expect(s.label).to.equal('negative');
    expect(s.reasons.length).to.be.greaterThan(0);
    // A word-model cue names its strongest word ("cue:c_neg(+0.12, and support)"); every other reason is term(weight[, note]).
    for (const r of s.reasons) expect(r).to.match(r.startsWith('cue:c_') ? /^cue:c_(neg|neu|pos|crisis)\([+-]\d+\.\d\d(, [^,()]+)?\)$/ : /^.+\([+-]\d+\.\d\d(, (negated|lexicon))?\)$/);
    expect(s.reasons.join(' ')).to.match(/terrible|useless/);
    expect(analyze('This is not good.').sentiment.reasons.some((r) => r.includes('+good') && r.includes('negated'))).to.equal(true);
  });

  it('keeps plain facts without opinion words neutral', () => {
    expect(analyze('I ordered the 256GB version yesterday.').sentiment.label).to.equal('neutral');
    expect(analyze('').sentiment.label).to.equal('neutral');
  });
});
