/** server/reasonText.ts: stored analysis reasons read in the reader's language. */
import { expect } from 'chai';
import { reasonText } from '../../server/reasonText';
import { t, type Locale } from '../../server/i18n';

const inLocale = (locale: Locale) => (key: string, vars?: Record<string, string | number>) => t(locale, key, vars);

describe('analysis reasons in the reader language', () => {
  it('names cues, notes and crisis evidence in zh-CN and en', () => {
    const zh = inLocale('zh-CN');
    const en = inLocale('en');
    expect(reasonText('cue:quote(+0.97)', zh)).to.equal('引号反讽（+0.97）');
    expect(reasonText('cue:quote(+0.97)', en)).to.equal('praise in quotes (+0.97)');
    expect(reasonText('不+好(-1.07, negated)', zh)).to.equal('不+好（-1.07，否定）');
    expect(reasonText('拉胯(-3.70, lexicon)', en)).to.equal('拉胯 (-3.70, lexicon)');
    expect(reasonText('太差(-1.72)', zh)).to.equal('太差（-1.72）');
    expect(reasonText('crisis:起火', zh)).to.equal('危机：起火');
    expect(reasonText('crisis:data leak', en)).to.equal('crisis: data leak');
  });

  it('names the word behind a community word-model cue, and reads without one', () => {
    expect(reasonText('cue:c_pos(+1.33, 值了)', inLocale('zh-CN'))).to.equal('社区里的好评用语「值了」（+1.33）');
    expect(reasonText('cue:c_neg(+0.40, does the job)', inLocale('en'))).to.equal('complaint wording in the community: “does the job” (+0.40)');
    expect(reasonText('cue:c_crisis(+0.90)', inLocale('en'))).to.equal('crisis wording in the community (+0.90)');
  });

  it('keeps what it does not know readable: a new cue by name, anything else as stored', () => {
    expect(reasonText('cue:brand_new(+0.10)', inLocale('en'))).to.equal('brand_new (+0.10)');
    expect(reasonText('some free text', inLocale('zh-CN'))).to.equal('some free text');
  });
});
