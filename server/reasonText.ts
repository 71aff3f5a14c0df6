/**
 * An analysis reason in the reader's language. The pipeline stores reasons as stable codes
 * (search/analysis: "太差(-1.72)", "不+好(-1.07, negated)", "cue:quote(+0.97)", "crisis:起火"), so
 * a stored analysis reads in whichever language its reader uses. Pure: the console and desk
 * bundles use it with the browser's dictionary, the pages with the server's.
 */
type Translate = (key: string, vars?: Record<string, string | number>) => string;

/** Every key reasonText may ask for: the pages that render reasons in the browser embed them. */
export const REASON_KEY_PREFIX = 'reason.';

// The note is a code (negated, lexicon) or, for the community word model's cues, the word behind it.
const REASON = /^(.*)\(([+-]?\d+(?:\.\d+)?)(?:, ([^()]+))?\)$/;
const WORD_CUES = new Set(['c_neg', 'c_neu', 'c_pos', 'c_crisis']);

export function reasonText(reason: string, t: Translate): string {
  if (reason.startsWith('crisis:')) return t('reason.crisis', { term: reason.slice('crisis:'.length) });
  const m = REASON.exec(reason);
  if (!m) return reason;
  const [, term, weight, note] = m;
  let label = term;
  const cue = term.startsWith('cue:') ? term.slice(4) : '';
  if (WORD_CUES.has(cue) && note) {
    const key = `reason.cue.${cue}_term`;
    return t('reason.weighted', { label: t(key, { term: note }), weight });
  }
  if (cue) {
    const key = `reason.cue.${cue}`;
    const text = t(key);
    label = text === key ? cue : text; // a cue newer than the dictionary: its name
  }
  const noteKey = note ? `reason.note.${note}` : null;
  const noteText = noteKey && t(noteKey) !== noteKey ? t(noteKey) : note;
  return noteText ? t('reason.weightedNote', { label, weight, note: noteText }) : t('reason.weighted', { label, weight });
}
