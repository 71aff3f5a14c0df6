/** The quote the composer inserts (server/quote.ts), shared by the `?quote=` page and the browser. */
import { expect } from 'chai';
import { QUOTE_MAX_LINES, quoteMarkdown } from '../../server/quote';
import { t } from '../../server/i18n';

describe('quoteMarkdown', () => {
  const post = { username: 'xiaobo', threadId: 12, postId: 345, body: '第一行\n第二行' };

  it('names the author, links to the post and quotes every line, in each language', () => {
    expect(quoteMarkdown(post, t('zh-CN', 'composer.quoteHeader'))).to.equal('> @xiaobo [写道](/t/12#p345)：\n> 第一行\n> 第二行\n\n');
    expect(quoteMarkdown(post, t('en', 'composer.quoteHeader'))).to.equal('> @xiaobo [wrote](/t/12#p345):\n> 第一行\n> 第二行\n\n');
  });

  it(`keeps the first ${QUOTE_MAX_LINES} lines; the link leads to the rest`, () => {
    const body = Array.from({ length: QUOTE_MAX_LINES + 5 }, (_, i) => `line ${i + 1}`).join('\n');
    const lines = quoteMarkdown({ ...post, body }, '{username}').trimEnd().split('\n');
    expect(lines).to.have.length(QUOTE_MAX_LINES + 1);
    expect(lines.at(-1)).to.equal(`> line ${QUOTE_MAX_LINES}`);
  });

  it('fills placeholders in the header only: a body that looks like one stays as typed', () => {
    const quoted = quoteMarkdown({ ...post, body: '{username} {postId} {constructor}' }, '@{username} {unknown}');
    expect(quoted).to.equal('> @xiaobo {unknown}\n> {username} {postId} {constructor}\n\n');
  });
});
