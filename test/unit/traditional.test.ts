// Traditional Chinese reads like simplified (issue #11, search/analysis/normalize.ts): OpenCC's
// Taiwan phrase tables fold characters and Taiwan vocabulary (萤幕, 影片, 资料) before segmentation,
// the models, the cues and the crisis terms, so a post and its traditional form get one judgement.
import { expect } from 'chai';
import * as OpenCC from 'opencc-js';
import { analyze } from '../../search/analysis';
import { normalizeText } from '../../search/analysis/normalize';

const toTraditional = OpenCC.Converter({ from: 'cn', to: 'twp' });

describe('traditional Chinese equals simplified', () => {
  it('folds Taiwan characters and vocabulary to the simplified text', () => {
    expect(normalizeText('螢幕一直閃，影片都看不了')).to.equal('屏幕一直闪,视频都看不了');
    expect(normalizeText('個資外洩了')).to.equal('个资外泄了');
    // Simplified text is left as it is.
    expect(normalizeText('屏幕一直闪')).to.equal('屏幕一直闪');
  });

  const posts = [
    '屏幕用了一个月就出现绿线，售后说要寄回去等两周，真的无语',
    '本来以为要排一下午队，结果半小时就办完了，服务很专业',
    '视频通话的时候信号一直断，这正常吗？',
    '门店装修，暂停营业一周，会员积分不受影响',
    '充电口烫得摸不了，还闻到一股焦味，不敢再用了',
    '新系统的隐私面板很清楚，安心',
  ];
  for (const text of posts) {
    it(`"${text.slice(0, 16)}…" gets the same label, score, crisis and keywords in traditional characters`, () => {
      const traditional = toTraditional(text);
      expect(traditional).to.not.equal(text);
      const a = analyze(text);
      const b = analyze(traditional);
      expect(b.sentiment).to.deep.equal(a.sentiment);
      expect(b.crisis).to.deep.equal(a.crisis);
      expect(b.keywords).to.deep.equal(a.keywords);
    });
  }
});
