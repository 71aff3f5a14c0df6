/**
 * The feature keys the community word model (search/analysis/community-model.ts) counts for a text:
 * the corpus model's own keys, without the dense lexicon masses. One definition for the trainer
 * (train-three-way.ts), the desk-label retrain (server/commands/retrain.ts) and the feedback curve.
 */
import { featureVector, isLexiconKey, zhFeatures } from '../analysis/features-zh';
import { enFeatures, enFeatureVector, isEnLexiconKey } from '../analysis/features-en';
import { normalizeText } from '../analysis/normalize';
import { enModel } from '../analysis/sentiment-en';
import { zhTokens } from './train-zh';

export function communityKeys(lang: 'zh' | 'en', text: string): string[] {
  if (lang === 'zh') return [...featureVector(zhFeatures(zhTokens(text))).keys()].filter((k) => !isLexiconKey(k));
  return [...enFeatureVector(enFeatures(normalizeText(text), enModel().options)).keys()].filter((k) => !isEnLexiconKey(k));
}
