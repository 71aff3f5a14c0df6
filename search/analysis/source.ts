/**
 * Models chosen by the kind of source (issue #11). Forum posts are the community's own register:
 * the all-corpora model with the three-way layer trained on community posts. Ingested mentions
 * from social platforms read like Weibo, where a Weibo-only NB-LR model scores better than one with
 * review corpora mixed in (search/train/train-sentiment-social.ts). News and anything else get the
 * all-corpora model, which serves reviews and long-form text best.
 */

/** The kind of source a text comes from, as the sentiment layer distinguishes them. */
export type SourceKind = 'community' | 'social' | 'general';

/** Every kind, for validation (the CLI's --source flag). */
export const SOURCE_KINDS: readonly SourceKind[] = ['community', 'social', 'general'];

// Source ids of ingested mentions (server/services/mentions.ts) that are social platforms.
const SOCIAL_SOURCES = new Set(['weibo', 'wechat', 'douyin', 'xiaohongshu']);

/** The kind of a document's `source` ('forum' for posts; a mention's platform id otherwise); absent: a community post. */
export function sourceKindOf(source: string | null | undefined): SourceKind {
  if (source === undefined || source === null || source === '' || source === 'forum') return 'community';
  return SOCIAL_SOURCES.has(source) ? 'social' : 'general';
}

/** A source id or kind as given on the command line: a kind by name, else a source id. */
export function parseSourceKind(value: string): SourceKind {
  return (SOURCE_KINDS as readonly string[]).includes(value) ? (value as SourceKind) : sourceKindOf(value);
}
