/**
 * The headline contract: every benchmark's JSON carries `headline`, its main figures in one shape,
 * so `bench/run.ts` can tabulate and chart every bench without knowing any of them.
 */

/** One main figure; `ratio` is value ÷ the same-run reference's value. */
export interface Headline {
  figure: string;
  value: number;
  unit: string;
  params?: Record<string, unknown>;
  reference?: { what: string; value: number };
  ratio?: number;
  higherIsBetter: boolean;
}

interface FigureOptions {
  params?: Record<string, unknown>;
  reference?: { what: string; value: number | undefined | null };
}

/**
 * A headline figure. A missing or non-finite value (a run that produced nothing) becomes NaN, which
 * JSON prints as null and the report shows as "—", rather than a made-up number.
 */
export function figure(name: string, value: number | undefined | null, unit: string, higherIsBetter: boolean, options: FigureOptions = {}): Headline {
  const h: Headline = { figure: name, value: finite(value), unit, higherIsBetter };
  if (options.params) h.params = options.params;
  const ref = options.reference;
  if (ref && Number.isFinite(ref.value)) {
    h.reference = { what: ref.what, value: ref.value as number };
    if (ref.value !== 0 && Number.isFinite(h.value)) h.ratio = Number((h.value / (ref.value as number)).toPrecision(3));
  }
  return h;
}

function finite(v: number | undefined | null): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
}
