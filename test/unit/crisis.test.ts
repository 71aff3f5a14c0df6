// Crisis first (issue #11, search/analysis/crisis.ts): safety, health, legal, data-leak and media
// posts come out negative and confident with a `crisis` marker and its evidence, in English too,
// even calm or as a question; the wider vocabulary is not evidence in a notice or a positive post.
import { expect } from 'chai';
import { analyze } from '../../search/analysis';

describe('crisis marker', () => {
  const cases: [string, string][] = [
    ['The dryer smelled like burning plastic and the back panel was hot to the touch.', 'safety'],
    ['The brake pedal went soft on a long downhill. What could cause that?', 'safety'],
    ['After a week of this cream my chin is covered in itchy bumps.', 'health'],
    ["I'm filing with the consumer protection office on Monday.", 'legal'],
    ['Three companies called me by name right after I registered. Who is selling our data?', 'data'],
    ['If support keeps ignoring me this goes to the tv station.', 'media'],
    ['喝完新出的拿铁，下午头晕想吐，这正常吗？', 'health'],
    ['会员中心能看到别人的订单和地址，这个漏洞赶紧修吧', 'data'],
  ];
  for (const [text, category] of cases) {
    it(`${category}: "${text.slice(0, 40)}…"`, () => {
      const a = analyze(text);
      expect(a.sentiment.label).to.equal('negative');
      expect(a.sentiment.confidence).to.be.at.least(0.9);
      expect(a.sentiment.probabilities.negative).to.be.at.least(0.9);
      expect(a.crisis?.categories).to.include(category);
      expect(a.crisis!.terms.length).to.be.greaterThan(0);
      expect(a.sentiment.reasons[0]).to.match(/^crisis:/);
    });
  }

  it('reads a traditional-character crisis post like its simplified form', () => {
    const a = analyze('會員APP改版後，點進訂單紀錄竟然看到別人的名字跟電話，這很嚴重吧。');
    expect(a.sentiment.label).to.equal('negative');
    expect(a.crisis?.categories).to.include('data');
  });

  it('does not take the wider vocabulary as evidence in a notice or a positive post', () => {
    expect(analyze('【提醒】报名请在小程序填写手机号和通讯录以外的联系方式，名额有限').crisis).to.equal(undefined);
    expect(analyze('Reminder: registration closes Friday, see the FAQ for privacy details.').crisis).to.equal(undefined);
    expect(analyze('Love the new privacy dashboard, super clear and great design!').crisis).to.equal(undefined);
  });
});
