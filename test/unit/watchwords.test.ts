/** The watchword matcher: crisis terms and watch lists on segmented text, in one pass. */
import { expect } from 'chai';
import { analyze } from '../../search/analysis';
import { CRISIS_TERMS, WatchwordMatcher, compileWatchwords } from '../../search/alerts/watchwords';
import { PROTOTYPE_TEXT_EN, PROTOTYPE_TEXT_ZH } from '../support/prototype-words';

const terms = (text: string, m = compileWatchwords()) => m.match(analyze(text).tokens).map((x) => `${x.category}:${x.term}`);

describe('watchwords', () => {
  it('finds crisis terms in calm wording and in questions, with their category', () => {
    expect(terms('充电的时候电池有点鼓包，这正常吗？')).to.include('safety:鼓包');
    expect(terms('车子停在地库里自燃了，消防都来了')).to.include('safety:自燃');
    expect(terms('孩子吃了以后拉肚子，怀疑食物中毒')).to.include.members(['health:拉肚子', 'health:食物中毒']);
    expect(terms('已经联系律师准备起诉，也打了12315')).to.include.members(['legal:起诉', 'legal:12315']);
    expect(terms('我要找记者曝光你们')).to.include.members(['media:记者', 'media:曝光']);
    expect(terms('The battery caught fire in my garage')).to.include('safety:caught fire');
    expect(terms('my account data was leaked after the update')).to.include('data:leaked');
  });

  it('matches on token boundaries: a term hidden across two words is not a match', () => {
    // 一起|火锅 holds the characters 起火, and 冒烟 is not in 冒险烟花.
    expect(terms('周末一起火锅吧')).to.deep.equal([]);
    expect(terms('喜欢冒险，烟花很好看')).to.not.include('safety:冒烟');
    expect(terms('This is a smokeless grill')).to.deep.equal([]);
  });

  it('finds a term even when jieba splits it into several tokens', () => {
    const m = new WatchwordMatcher([{ term: '刹车失灵', category: 'safety' }]);
    expect(m.match(['高速', '刹车', '失灵', '了']).map((x) => x.term)).to.deep.equal(['刹车失灵']);
    expect(m.match(['刹', '车', '失', '灵']).map((x) => x.at)).to.deep.equal([0]);
    expect(m.match(['我', '刹车', '没', '失灵'])).to.deep.equal([]);
  });

  it('adds the admins’ watch lists, reporting which list matched, each term once', () => {
    const m = compileWatchwords([{ key: '竞品', terms: ['特斯拉', 'Model Y'] }, { key: '我们', terms: ['SU7'] }]);
    const found = m.match(analyze('SU7 和 Model Y 对比，特斯拉的车机更卡，SU7 更好').tokens);
    expect(found.map((x) => `${x.list}:${x.term}`)).to.deep.equal(['我们:SU7', '竞品:Model Y', '竞品:特斯拉']);
    expect(m.size).to.equal(CRISIS_TERMS.length + 3);
  });

  it('treats Object.prototype names as words', () => {
    const m = compileWatchwords([{ key: 'x', terms: ['constructor', '__proto__', 'toString'] }]);
    expect(m.match(analyze(PROTOTYPE_TEXT_EN).tokens).map((x) => x.term)).to.include('constructor');
    expect(() => m.match(analyze(PROTOTYPE_TEXT_ZH).tokens)).to.not.throw();
    expect(new WatchwordMatcher([]).match(['constructor', 'hasOwnProperty'])).to.deep.equal([]);
  });
});
