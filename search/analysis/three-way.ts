/**
 * The three-way layer (issue #11): a multinomial logistic regression over the corpus model's
 * evidence and the community cues (cues-zh.ts), trained by search/train/train-three-way.ts on
 * the community dev half, generic neutral sentences and corpus dev rows. It gives the
 * probabilities of all three labels, so neutral is a learned class rather than a band around
 * zero, and names the cues that moved the label.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Class order of every probability vector and weight row. */
export const THREE_WAY_LABELS = ['negative', 'neutral', 'positive'] as const;
export type ThreeWayLabel = (typeof THREE_WAY_LABELS)[number];

/** The serialised layer: one weight row per class, column 0 the bias, then one per feature name. */
export interface ThreeWayModel {
  version: 1;
  lang: 'zh' | 'en';
  features: string[];
  weights: number[][];
  /** Neutral wins only by this much over the likelier polar label (chosen in cross-validation on dev). */
  neutralMargin?: number;
  info?: Record<string, unknown>;
}

/** The three probabilities, in THREE_WAY_LABELS order, and the features that moved the winner most. */
export interface ThreeWayResult {
  probabilities: [number, number, number];
  label: ThreeWayLabel;
  /** Per-feature push towards the label against the mean of the other two classes, strongest first (up to 3). */
  cues: { name: string; weight: number }[];
}

const paths: Record<'zh' | 'en', string> = {
  zh: fileURLToPath(new URL('../models/three-way-zh.json', import.meta.url)),
  en: fileURLToPath(new URL('../models/three-way-en.json', import.meta.url)),
};
const loaded = new Map<'zh' | 'en', ThreeWayModel | null>();
const overrides = new Map<'zh' | 'en', ThreeWayModel | null>();

/** Check that a model was trained on exactly these features, in this order. */
export function checkThreeWayModel(model: ThreeWayModel, names: readonly string[]): ThreeWayModel {
  if (model.features.length !== names.length || model.features.some((f, i) => f !== names[i]) || model.weights.length !== 3) {
    throw new Error(`three-way ${model.lang} model features do not match the code: retrain (npm run train:three-way)`);
  }
  return model;
}

/** The committed layer for a language (null when none is committed), read on first use. */
export function threeWayModel(lang: 'zh' | 'en', names: readonly string[]): ThreeWayModel | null {
  if (overrides.has(lang)) return overrides.get(lang)!;
  if (!loaded.has(lang)) {
    let model: ThreeWayModel | null = null;
    try {
      model = checkThreeWayModel(JSON.parse(readFileSync(paths[lang], 'utf8')) as ThreeWayModel, names);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    loaded.set(lang, model);
  }
  return loaded.get(lang)!;
}

/** Use this layer (null: none, the band decides) until called with undefined; the trainer evaluates through it. */
export function useThreeWayModel(lang: 'zh' | 'en', model: ThreeWayModel | null | undefined): void {
  if (model === undefined) overrides.delete(lang);
  else overrides.set(lang, model);
}

/** Class logits of feature vector x under weights w (rows: classes; column 0: bias). */
export function classLogits(w: number[][], x: ArrayLike<number>): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const row = w[c];
    let s = row[0];
    for (let j = 0; j < x.length; j++) s += row[j + 1] * x[j];
    out[c] = s;
  }
  return out;
}

/** Softmax of three logits. */
export function softmax3(z: [number, number, number]): [number, number, number] {
  const m = Math.max(z[0], z[1], z[2]);
  const e0 = Math.exp(z[0] - m), e1 = Math.exp(z[1] - m), e2 = Math.exp(z[2] - m);
  const s = e0 + e1 + e2;
  return [e0 / s, e1 / s, e2 / s];
}

/** The label index: the likelier polar label, unless neutral beats it by `neutralMargin`. */
export function argmax3(p: readonly number[], neutralMargin: number): number {
  const polar = p[2] > p[0] ? 2 : 0;
  return p[1] > p[polar] + neutralMargin ? 1 : polar;
}

/** Probabilities, label and the strongest cues for one feature vector. */
export function threeWay(model: ThreeWayModel, x: ArrayLike<number>): ThreeWayResult {
  const probabilities = softmax3(classLogits(model.weights, x));
  const c = argmax3(probabilities, model.neutralMargin ?? 0);
  const cues: { name: string; weight: number }[] = [];
  for (let j = 0; j < x.length; j++) {
    if (x[j] === 0) continue;
    const w = model.weights;
    const others = (w[0][j + 1] + w[1][j + 1] + w[2][j + 1] - w[c][j + 1]) / 2;
    const push = x[j] * (w[c][j + 1] - others);
    if (push > 0.05) cues.push({ name: model.features[j], weight: push });
  }
  cues.sort((a, b) => b.weight - a.weight);
  return { probabilities, label: THREE_WAY_LABELS[c], cues: cues.slice(0, 3) };
}
