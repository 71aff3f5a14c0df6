/**
 * Test-and-bench helper: a complete SearchDocument built from real analyze() output, so the
 * shared backend suite and the benchmarks index exactly what the workers would index.
 * Explicit fields in `partial` win over the analysed ones (e.g. a fixed sentiment for sums).
 */
import { expandForIndex, withTitle } from './expand';
import { analyze } from './analysis';
import type { SearchDocument } from './backend';

let sequence = 0;

/** Build a full SearchDocument from `partial.text` (analysed) plus any explicit overrides. */
export function makeDocument(partial: Partial<SearchDocument> & { text: string }): SearchDocument {
  const a = analyze(partial.text);
  const kind = partial.kind ?? 'post';
  return {
    id: partial.id ?? `${kind}:${++sequence}`,
    kind,
    text: partial.text,
    tokens: partial.tokens ?? withTitle(expandForIndex(a.tokens), partial.title ?? null),
    lang: partial.lang ?? a.lang,
    sentiment: partial.sentiment ?? { label: a.sentiment.label, score: a.sentiment.score, confidence: a.sentiment.confidence },
    keywords: partial.keywords ?? a.keywords,
    hashtags: partial.hashtags ?? a.hashtags,
    author: partial.author ?? 'tester',
    authorFollowers: partial.authorFollowers ?? null,
    kol: partial.kol ?? false,
    chapter: partial.chapter ?? null,
    chapterId: partial.chapterId ?? null,
    threadId: partial.threadId ?? null,
    category: partial.category ?? null,
    title: partial.title ?? null,
    source: partial.source ?? (kind === 'post' ? 'forum' : 'other'),
    url: partial.url ?? null,
    complaint: partial.complaint !== undefined ? partial.complaint : (a.complaint?.category ?? null),
    createdAt: partial.createdAt ?? new Date().toISOString(),
  };
}
