/**
 * The reasons a KOL score gives, as i18n keys with variables (what the server renders through
 * t() in zh-CN or en) plus the English templates, which render `KolScore.reasons` and are the
 * source for the locale files. One place, so the structured and the text forms cannot drift.
 */

export const KOL_REASON_EN = Object.freeze({
  'kol.reason.engagers': 'engaged by {count} distinct accounts ({active} of them active), credibility-weighted {credit}',
  'kol.reason.mutual': '{count} of them are engaged back, counted at {percent}%',
  'kol.reason.centrality': 'centrality {times}× the average account',
  'kol.reason.core': 'k-core {core}',
  'kol.reason.followers': '{followers} followers (a weak signal on its own)',
  'kol.reason.recency': "recent engagement at {percent}% of the community's pace",
  'kol.reason.posts': '{posts} posts, the last {days} days ago (volume alone earns nothing)',
  'kol.reason.volume': 'high volume: engages with {accounts} accounts but little comes back, score ×{factor}',
  'kol.reason.new': 'new since the last full recompute: centrality and k-core not yet computed',
});

export type KolReasonKey = keyof typeof KOL_REASON_EN;

/** One reason: an i18n key and its variables. */
export interface KolReason {
  key: KolReasonKey;
  vars: Record<string, string | number>;
}

/** A template split at its placeholders: literal, name, literal, name, ..., literal. */
const compiled = new Map<string, string[]>();
function compile(template: string): string[] {
  let pieces = compiled.get(template);
  if (pieces === undefined) compiled.set(template, (pieces = template.split(/\{(\w+)\}/)));
  return pieces;
}

/**
 * Fills a template's {name} placeholders (the same rule as server/i18n.ts t()). Templates are
 * split once and cached: materialising 100k scores renders ~800k reasons.
 */
export function renderReason(reason: KolReason, templates: Readonly<Record<KolReasonKey, string>> = KOL_REASON_EN): string {
  const pieces = compile(templates[reason.key]);
  let out = pieces[0];
  for (let k = 1; k < pieces.length; k += 2) {
    const name = pieces[k];
    out += (Object.hasOwn(reason.vars, name) ? String(reason.vars[name]) : `{${name}}`) + pieces[k + 1];
  }
  return out;
}
