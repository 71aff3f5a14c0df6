/**
 * Index-time expansion of long Chinese words into the shorter words inside them (jieba's
 * search mode: 售后服务 → 售后, 服务, 售后服务). Documents are indexed with the expansion,
 * queries are cut normally, so a search for 售后 finds "售后服务很差" while 售后服务 still
 * finds it too: recall of the short word without losing precision of the long one.
 */
import { getJieba } from './analysis/segment';
import { segmentForIndex } from './analysis/tokenize';

const HAN = /\p{Script=Han}/u;

/** The tokens plus the sub-words of every Han token of 3+ characters (deduplicated, order kept). */
export function expandForIndex(tokens: string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (t: string) => {
    if (!seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  };
  for (const token of tokens) {
    add(token);
    if (token.length >= 3 && HAN.test(token)) {
      for (const piece of getJieba().cutForSearch(token, false)) if (piece.length >= 2 && piece !== token) add(piece);
    }
  }
  return out;
}

/** A document's tokens plus its title's (segmented and expanded like the text), deduplicated, order kept. */
export function withTitle(tokens: string[], title: string | null): string[] {
  if (!title) return tokens;
  return [...new Set([...tokens, ...expandForIndex(segmentForIndex(title))])];
}
