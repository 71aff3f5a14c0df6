/**
 * The Markdown a quote inserts into the composer: a header naming the author and linking to the
 * quoted post, then the post's first lines as a blockquote. Pure (no imports): the server's
 * `?quote=` fallback and the browser's inline quote (static/src/composer.ts) build the same text.
 */

/** Lines of the quoted post kept in a quote; the link leads to the rest. */
export const QUOTE_MAX_LINES = 20;

export interface QuotedPost {
  username: string;
  threadId: string | number;
  postId: string | number;
  body: string;
}

/**
 * Quote `post` for a reply. `header` is the page's translation of `composer.quoteHeader`, with
 * {username}, {threadId} and {postId} still to fill (e.g. "@{username} [写道](/t/{threadId}#p{postId})：").
 */
export function quoteMarkdown(post: QuotedPost, header: string): string {
  const vars = new Map<string, string>([
    ['username', post.username],
    ['threadId', String(post.threadId)],
    ['postId', String(post.postId)],
  ]);
  const head = header.replace(/\{(\w+)\}/g, (whole, name: string) => vars.get(name) ?? whole);
  const lines = post.body.split('\n').slice(0, QUOTE_MAX_LINES).map((l) => `> ${l}`);
  return `> ${head}\n${lines.join('\n')}\n\n`;
}
