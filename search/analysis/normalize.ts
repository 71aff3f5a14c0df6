/**
 * Text normalisation shared by indexing, sentiment and the training script, so that
 * what the model was trained on is exactly what it sees at run time.
 */
import * as OpenCC from 'opencc-js';

// Traditional → simplified (Taiwan and Hong Kong fans; OpenCC's tables, phrase-aware: 個資外洩 →
// 个资外泄), so one model, one crisis-term list and one index serve both scripts. A text with no
// character the tables change (nearly every simplified post) is not converted at all.
let t2s: { convert: (s: string) => string; changes: Uint8Array } | null = null;

function converter() {
  if (t2s) return t2s;
  const convert = OpenCC.Converter({ from: 'twp', to: 'cn' });
  const changes = new Uint8Array(0x10000);
  for (let c = 0x3400; c <= 0x9fff; c++) {
    const ch = String.fromCharCode(c);
    if (convert(ch) !== ch) changes[c] = 1;
  }
  t2s = { convert, changes };
  return t2s;
}

/** Whether any character of s is one that traditional → simplified conversion changes. */
function hasTraditional(s: string, changes: Uint8Array): boolean {
  for (let i = 0; i < s.length; i++) {
    if (changes[s.charCodeAt(i)] === 1) return true;
  }
  return false;
}

/** Fold full-width forms to half-width (NFKC), lowercase, and traditional Chinese to simplified; keeps emoji intact. */
export function normalizeText(text: string): string {
  // NFKC turns "ｉＰｈｏｎｅ，１２３" into "iphone,123" so one dictionary entry covers both widths.
  const folded = text.normalize('NFKC').toLowerCase();
  const { convert, changes } = converter();
  return hasTraditional(folded, changes) ? convert(folded) : folded;
}
