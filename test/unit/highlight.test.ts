import { expect } from 'chai';
import { highlight } from '../../search/highlight';

describe('highlight', () => {
  it('escapes HTML in the text, with or without terms', () => {
    expect(highlight(`<script>alert("x")</script> & 'q'`, [])).to.equal(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;',
    );
    expect(highlight('<b>拉胯</b>', ['拉胯'])).to.equal('&lt;b&gt;<mark>拉胯</mark>&lt;/b&gt;');
  });

  it('marks every occurrence of every term', () => {
    expect(highlight('续航很拉胯，续航也卡', ['续航', '卡'])).to.equal('<mark>续航</mark>很拉胯，<mark>续航</mark>也<mark>卡</mark>');
  });

  it('matches case-insensitively and keeps the original case', () => {
    expect(highlight('The Battery is GREAT', ['battery', 'great'])).to.equal('The <mark>Battery</mark> is <mark>GREAT</mark>');
  });

  it('prefers the longest term where terms overlap', () => {
    expect(highlight('遥遥领先', ['遥遥', '遥遥领先'])).to.equal('<mark>遥遥领先</mark>');
    expect(highlight('batteryless battery', ['battery', 'batteryless'])).to.equal('<mark>batteryless</mark> <mark>battery</mark>');
  });

  it('treats terms as literal text, not regular expressions, and ignores blank terms', () => {
    expect(highlight('c++ and c', ['c++', ' ', ''])).to.equal('<mark>c++</mark> and c');
    expect(highlight('a.b axb', ['a.b'])).to.equal('<mark>a.b</mark> axb');
  });

  it('does not mark inside escaped entities', () => {
    expect(highlight('a < b', ['lt'])).to.equal('a &lt; b');
  });

  it('leaves a short text whole', () => {
    expect(highlight('short text', ['text'], 240)).to.equal('short <mark>text</mark>');
  });

  it('cuts a long text around the first match, with ellipses', () => {
    const text = 'x'.repeat(500) + '拉胯' + 'y'.repeat(500);
    const out = highlight(text, ['拉胯'], 90);
    expect(out.startsWith('…')).to.equal(true);
    expect(out.endsWith('…')).to.equal(true);
    expect(out).to.contain('<mark>拉胯</mark>');
    // 90 characters of text: a third before the match, the rest after it.
    expect(out).to.equal('…' + 'x'.repeat(30) + '<mark>拉胯</mark>' + 'y'.repeat(58) + '…');
  });

  it('cuts a long text from its start when the match is near the start or absent', () => {
    const text = '拉胯' + 'y'.repeat(300);
    expect(highlight(text, ['拉胯'], 50)).to.equal('<mark>拉胯</mark>' + 'y'.repeat(48) + '…');
    expect(highlight('z'.repeat(300), ['拉胯'], 50)).to.equal('z'.repeat(50) + '…');
  });

  it('ends without an ellipsis when the cut reaches the end of the text', () => {
    const text = 'x'.repeat(300) + '拉胯';
    expect(highlight(text, ['拉胯'], 60)).to.equal('…' + 'x'.repeat(20) + '<mark>拉胯</mark>');
  });
});
