import { expect } from 'chai';
import { csvCell, csvRow } from '../../server/csv';

describe('csv cells', () => {
  it('quotes cells with quotes, commas and line breaks, doubling quotes', () => {
    expect(csvCell('plain 中文')).to.equal('plain 中文');
    expect(csvCell('a,b')).to.equal('"a,b"');
    expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
    expect(csvCell('two\nlines')).to.equal('"two\nlines"');
    expect(csvCell('cr\rlf')).to.equal('"cr\rlf"');
  });

  it('prefixes formula starters with an apostrophe', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(s).replace(/^"/, '')).to.match(/^'/);
    expect(csvCell('=HYPERLINK("http://x","y")')).to.equal(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('a=1')).to.equal('a=1');
  });

  it('writes numbers as numbers and nothing for null', () => {
    expect(csvCell(-0.5)).to.equal('-0.5');
    expect(csvCell(null)).to.equal('');
    expect(csvCell(undefined)).to.equal('');
    expect(csvCell(Number.NaN)).to.equal('');
    expect(csvRow(['a', 1, null])).to.equal('a,1,\r\n');
  });
});
