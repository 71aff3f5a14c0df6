/**
 * Text normalisation shared by indexing, sentiment and the training script, so that
 * what the model was trained on is exactly what it sees at run time.
 */

/** Fold full-width forms to half-width (NFKC) and lowercase; keeps emoji intact. */
export function normalizeText(text: string): string {
  // NFKC turns "ｉＰｈｏｎｅ，１２３" into "iphone,123" so one dictionary entry covers both widths.
  return text.normalize('NFKC').toLowerCase();
}
