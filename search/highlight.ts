/**
 * Highlights computed from the original text in JS, identically for every backend: the text
 * is HTML-escaped and each occurrence of a query word is wrapped in <mark>. (An engine's own
 * highlighter would mark the pre-segmented tokens field, not what a reader sees.)
 */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Escape text and mark the query terms (case-insensitive); long texts are cut around the first match. */
export function highlight(text: string, terms: string[], maxLength = 240): string {
  const words = [...new Set(terms.filter((t) => t.trim().length > 0))].sort((a, b) => b.length - a.length);
  let start = 0;
  if (text.length > maxLength && words.length) {
    const lower = text.toLowerCase();
    const first = Math.min(...words.map((w) => lower.indexOf(w.toLowerCase())).filter((i) => i >= 0), Infinity);
    if (Number.isFinite(first)) start = Math.max(0, first - Math.floor(maxLength / 3));
  }
  const slice = text.slice(start, start + maxLength);
  const prefix = start > 0 ? '…' : '';
  const suffix = start + maxLength < text.length ? '…' : '';
  if (!words.length) return prefix + escapeHtml(slice) + suffix;
  const pattern = new RegExp(words.map(escapeRegExp).join('|'), 'giu');
  let out = '';
  let last = 0;
  for (const m of slice.matchAll(pattern)) {
    out += escapeHtml(slice.slice(last, m.index)) + '<mark>' + escapeHtml(m[0]) + '</mark>';
    last = m.index! + m[0].length;
  }
  return prefix + out + escapeHtml(slice.slice(last)) + suffix;
}
