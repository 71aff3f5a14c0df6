/** Cheap language guess from script ratios: no model, one pass over the characters. */
export type Lang = 'zh' | 'en' | 'mixed' | 'other';

const HAN = /\p{Script=Han}/u;
// Latin letters beyond ASCII (é, ñ) count as Latin too.
const LATIN = /\p{Script=Latin}/u;
const LETTER = /\p{L}/u;

// About three Latin letters carry as much text as one Han character (an English word
// averages ~4.7 letters, a Chinese word ~1.5 characters), so brand names like "iPhone"
// inside a Chinese sentence do not tip it into "mixed".
const LATIN_LETTERS_PER_HAN = 3;

/** Counts of Han characters, Latin letters and letters of any other script. */
export interface ScriptCounts { han: number; latin: number; other: number }

/** Count the script of every letter in the text. */
export function countScripts(text: string): ScriptCounts {
  const counts: ScriptCounts = { han: 0, latin: 0, other: 0 };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // ASCII and the main CJK block by code range; the regexes only for the rest (runs per character).
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) counts.latin++;
    else if (c < 128) continue;
    else if (c >= 0x4e00 && c <= 0x9fff) counts.han++;
    else {
      const ch = String.fromCodePoint(text.codePointAt(i) ?? c);
      if (ch.length === 2) i++;
      if (HAN.test(ch)) counts.han++;
      else if (LATIN.test(ch)) counts.latin++;
      else if (LETTER.test(ch)) counts.other++;
    }
  }
  return counts;
}

/** The share of Chinese in the text, in [0,1], weighting Latin letters as above. */
export function chineseShare(counts: ScriptCounts): number {
  const latinUnits = counts.latin / LATIN_LETTERS_PER_HAN;
  const total = counts.han + latinUnits;
  return total === 0 ? 0 : counts.han / total;
}

/** zh / en / mixed / other from script ratios (80% of one script decides). */
export function detectLanguage(text: string): Lang {
  const counts = countScripts(text);
  const known = counts.han + counts.latin;
  // Kana, Hangul, Cyrillic...: neither of our two models applies.
  if (known === 0 || counts.other > known) return 'other';
  const share = chineseShare(counts);
  if (share >= 0.8) return 'zh';
  if (share <= 0.2) return 'en';
  return 'mixed';
}
