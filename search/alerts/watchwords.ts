/**
 * Watchwords: crisis terms (safety, health, legal, media exposure, data leaks) and admins' watch
 * lists, matched on the segmented text of a post in one pass. All terms are compiled once into an
 * Aho–Corasick automaton over characters; a match counts only where it starts and ends on token
 * boundaries, so a term jieba splits (鼓/包) is still found while a substring across two words
 * (一起|火锅 holds 起火) is not. Cost per post: one scan of its tokens, whatever the number of terms.
 */

export type WatchCategory = 'safety' | 'health' | 'legal' | 'media' | 'data' | 'watchlist';

/** One term to watch, with what it means and (for admin lists) which list it came from. */
export interface WatchTerm {
  term: string;
  category: WatchCategory;
  list?: string;
}

/** A term found in a post. */
export interface WatchMatch {
  term: string;
  category: WatchCategory;
  list?: string;
  /** The token index where the match starts. */
  at: number;
}

/** The crisis terms every brand community watches; the alert desk never misses these. */
export const CRISIS_TERMS: readonly WatchTerm[] = Object.freeze([
  ...['爆炸', '起火', '着火', '自燃', '鼓包', '冒烟', '烧焦', '漏电', '触电', '刹车失灵', '失控', '断轴', '漏液', '炸了', 'explode', 'exploded', 'explosion', 'caught fire', 'smoke', 'overheating', 'brake failure', '焦糊味', '焦味', '火花', '冒白烟', '冒黑烟', '鼓起来', '电池鼓', '电流感', '麻手', '爆燃', '玻璃碴', '碎玻璃', '刹车变软', '失去动力', 'burning smell', 'burnt smell', 'sparked', 'sparks', 'scorch', 'bulging', 'swollen', 'shard of glass'].map((term) => ({ term, category: 'safety' as const })),
  ...['中毒', '过敏', '致癌', '拉肚子', '食物中毒', '异物', '烫伤', '受伤', '住院', 'poisoning', 'allergic reaction', 'injured', 'hospital', '起疹子', '疹子', '红疹', '皮疹', '呕吐', '腹泻', '发烧', '咳嗽', '过敏反应', '烂脸', 'rash', 'blister', 'vomit', 'vomiting', 'diarrhea', 'allergic'].map((term) => ({ term, category: 'health' as const })),
  ...['起诉', '维权', '律师函', '律师', '仲裁', '诉讼', '消协', '12315', '集体投诉', 'lawsuit', 'sue', 'lawyer', '消保官', '市场监管局', '工商局', '退一赔三', '集体起诉'].map((term) => ({ term, category: 'legal' as const })),
  ...['315', '曝光', '记者', '上热搜', '媒体', '央视', '黑猫投诉', 'exposed', 'journalist', 'reporter', '热搜', '新闻台', '消费节目', '媒体曝光'].map((term) => ({ term, category: 'media' as const })),
  ...['泄露', '泄漏隐私', '隐私泄露', '数据泄露', '被盗号', '个人信息', 'data leak', 'data breach', 'leaked', '个资', '外泄', '诈骗电话', '信息被卖'].map((term) => ({ term, category: 'data' as const })),
]);

interface Node {
  /** Child per code point of the next character. */
  next: Map<number, number>;
  fail: number;
  /** Indexes into `terms` ending here (own and via fail links). */
  out: number[];
}

/** Spaces out of a term: tokens carry no spaces, so "caught fire" is matched as caught|fire. */
const compact = (term: string) => term.normalize('NFKC').toLowerCase().replace(/\s+/g, '');

/** A compiled matcher over a fixed set of terms. */
export class WatchwordMatcher {
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, out: [] }];
  private readonly terms: { term: string; category: WatchCategory; list?: string; length: number }[] = [];
  /** BMP code units that start some term: from the root, any other character leads back to the root. */
  private readonly firsts = new Uint8Array(0x10000);

  constructor(terms: readonly WatchTerm[]) {
    for (const t of terms) this.insert(t);
    this.link();
  }

  /** Number of distinct compiled terms. */
  get size(): number {
    return this.terms.length;
  }

  private insert(t: WatchTerm) {
    const chars = [...compact(t.term)];
    if (chars.length === 0) return;
    let n = 0;
    if (chars[0].length === 1) this.firsts[chars[0].charCodeAt(0)] = 1;
    for (const ch of chars) {
      const c = ch.codePointAt(0)!;
      let next = this.nodes[n].next.get(c);
      if (next === undefined) {
        next = this.nodes.length;
        this.nodes.push({ next: new Map(), fail: 0, out: [] });
        this.nodes[n].next.set(c, next);
      }
      n = next;
    }
    // The same term in two lists is reported once per list.
    if (this.nodes[n].out.some((i) => this.terms[i].list === t.list && this.terms[i].category === t.category)) return;
    this.nodes[n].out.push(this.terms.length);
    this.terms.push({ term: t.term, category: t.category, list: t.list, length: chars.length });
  }

  // Breadth-first failure links, with outputs merged along them (classic Aho–Corasick).
  private link() {
    const queue: number[] = [];
    for (const child of this.nodes[0].next.values()) queue.push(child);
    while (queue.length) {
      const n = queue.shift()!;
      for (const [c, child] of this.nodes[n].next) {
        let f = this.nodes[n].fail;
        while (f !== 0 && !this.nodes[f].next.has(c)) f = this.nodes[f].fail;
        const target = this.nodes[f].next.get(c);
        this.nodes[child].fail = target !== undefined && target !== child ? target : 0;
        this.nodes[child].out.push(...this.nodes[this.nodes[child].fail].out);
        queue.push(child);
      }
    }
  }

  /** The terms found in a post's tokens (from analyze().tokens), each once, in order of position. */
  match(tokens: readonly string[]): WatchMatch[] {
    const found: WatchMatch[] = [];
    const seen = new Set<number>();
    // Character offset at which each token starts: a match must start on one and end with a token.
    const starts = new Int32Array(tokens.length);
    let offset = 0;
    let n = 0;
    for (let ti = 0; ti < tokens.length; ti++) {
      starts[ti] = offset;
      const tok = tokens[ti];
      // Code points, not strings: no one-character string per step, and small-integer Map keys.
      for (let i = 0; i < tok.length; i++) {
        const c = tok.codePointAt(i)!;
        if (c > 0xffff) i++;
        offset++;
        if (n === 0 && c <= 0xffff && this.firsts[c] === 0) continue;
        while (n !== 0 && !this.nodes[n].next.has(c)) n = this.nodes[n].fail;
        n = this.nodes[n].next.get(c) ?? 0;
      }
      for (const id of this.nodes[n].out) {
        const t = this.terms[id];
        const start = offset - t.length;
        // The last token starting there (an empty token shares its offset with the next one).
        let at = ti;
        while (at >= 0 && starts[at] > start) at--;
        if (at < 0 || starts[at] !== start || seen.has(id)) continue;
        seen.add(id);
        found.push({ term: t.term, category: t.category, ...(t.list ? { list: t.list } : {}), at });
      }
    }
    return found.sort((a, b) => a.at - b.at);
  }
}

/** The crisis terms plus the admins' watch lists ({key, terms}), compiled once. */
export function compileWatchwords(lists: readonly { key: string; terms: readonly string[] }[] = []): WatchwordMatcher {
  return new WatchwordMatcher([...CRISIS_TERMS, ...lists.flatMap((l) => l.terms.map((term) => ({ term, category: 'watchlist' as const, list: l.key })))]);
}
