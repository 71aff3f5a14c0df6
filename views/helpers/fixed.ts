/** {{fixed n 2}}: a number with that many decimals (scores, shares); anything else as is. */
export function fixed(value: unknown, digits: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(typeof digits === 'number' ? digits : 2) : String(value ?? '');
}
