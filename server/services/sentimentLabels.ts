/**
 * People's sentiment labels: desk feedback on an alert ("confirmed negative", "not negative"),
 * console corrections and imports. Each label keeps the text as judged and what the model said
 * then; `resonance retrain` (server/commands/retrain.ts) learns the community's language from them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Op, type Transaction, type WhereOptions } from 'sequelize';
import { Analysis, Mention, Post, SentimentLabel, User } from '../models';
import type { HumanSentimentLabel, LabelSource, LabelledItemKind } from '../models/SentimentLabel';
import { authorize, type Actor } from '../policies';
import { Conflict, NotFound, Validation } from '../errors';
import { withTransaction } from '../db';
import type { Config } from '../config';
import { audit } from './audit';
import { detectLanguage } from '../../search/analysis/language';
import { normalizeText } from '../../search/analysis/normalize';

const KINDS: readonly LabelledItemKind[] = ['post', 'mention'];
const LABELS: readonly HumanSentimentLabel[] = ['negative', 'neutral', 'positive'];
const SOURCES: readonly LabelSource[] = ['alert', 'console', 'import'];

/** The desk's two feedback buttons. */
export type FeedbackVerdict = 'confirmed_negative' | 'not_negative';

/**
 * The label a desk button stands for: "confirmed negative" is negative; "not negative" is what
 * the annotator says it is instead (neutral unless they say positive).
 */
export function labelFromFeedback(verdict: FeedbackVerdict, instead: 'neutral' | 'positive' = 'neutral'): HumanSentimentLabel {
  return verdict === 'confirmed_negative' ? 'negative' : instead;
}

/** What to label: the item, the person's label, where it came from (and the alert, from the desk). */
export interface LabelInput {
  itemKind: LabelledItemKind;
  itemId: number;
  label: HumanSentimentLabel;
  source: LabelSource;
  alertId?: number | null;
}

/** A label as staff see it. */
export interface SentimentLabelView {
  id: string;
  itemKind: LabelledItemKind;
  itemId: string;
  text: string;
  lang: string;
  label: HumanSentimentLabel;
  /** The model's label and score when the person judged it (null: no analysis then). */
  predicted: { label: HumanSentimentLabel; score: number } | null;
  source: LabelSource;
  alertId: string | null;
  labelledBy: string;
  createdAt: string;
}

/** The one shape a label leaves the server in. */
export function presentSentimentLabel(l: SentimentLabel): SentimentLabelView {
  return {
    id: String(l.id),
    itemKind: l.itemKind,
    itemId: String(l.itemId),
    text: l.text,
    lang: l.lang,
    label: l.label,
    predicted: l.predictedLabel === null || l.predictedScore === null ? null : { label: l.predictedLabel, score: l.predictedScore },
    source: l.source,
    alertId: l.alertId === null ? null : String(l.alertId),
    labelledBy: String(l.userId),
    createdAt: l.createdAt.toISOString(),
  };
}

function checkInput(input: LabelInput): void {
  if (!KINDS.includes(input.itemKind)) throw Validation('itemKind', `must be one of ${KINDS.join(', ')}`);
  if (!Number.isSafeInteger(input.itemId) || input.itemId <= 0) throw Validation('itemId', 'must be a positive integer');
  if (!LABELS.includes(input.label)) throw Validation('label', `must be one of ${LABELS.join(', ')}`);
  if (!SOURCES.includes(input.source)) throw Validation('source', `must be one of ${SOURCES.join(', ')}`);
  if (input.alertId != null && (!Number.isSafeInteger(input.alertId) || input.alertId <= 0)) throw Validation('alertId', 'must be a positive integer');
}

/** The item's text as it stands now; a deleted post, or one whose author opted out of analytics, cannot be labelled. */
async function itemText(kind: LabelledItemKind, id: number, transaction: Transaction): Promise<string> {
  if (kind === 'mention') {
    const mention = await Mention.findByPk(id, { attributes: ['id', 'text'], transaction });
    if (!mention) throw NotFound('Mention');
    return mention.text;
  }
  const post = await Post.findByPk(id, { attributes: ['id', 'body', 'authorId', 'deletedAt'], transaction });
  if (!post || post.deletedAt) throw NotFound('Post');
  const author = await User.findByPk(post.authorId, { attributes: ['id', 'analyticsConsent'], transaction });
  // Listening leaves these members out entirely; a training example is listening too.
  if (!author?.analyticsConsent) throw Conflict('The author does not take part in analytics; their posts are not labelled');
  return post.body;
}

/**
 * Store `actor`'s label on a post or mention, with its text and the model's judgement at this
 * moment, replacing their earlier label on it, and audit it. Runs in `transaction` when given
 * (the alert API stores the feedback with its alert update), else in one of its own.
 */
export async function recordSentimentLabel(actor: Actor, input: LabelInput, transaction?: Transaction): Promise<SentimentLabelView> {
  authorize(actor, 'alerts.work', null);
  checkInput(input);
  const run = async (t: Transaction): Promise<SentimentLabelView> => {
    const text = await itemText(input.itemKind, input.itemId, t);
    const analysis = await Analysis.findByPk(`${input.itemKind}:${input.itemId}`, { attributes: ['docId', 'lang', 'label', 'score'], transaction: t });
    const where = { itemKind: input.itemKind, itemId: input.itemId, userId: actor.id };
    const previous = await SentimentLabel.findOne({ where, transaction: t });
    if (previous) await previous.destroy({ transaction: t });
    const row = await SentimentLabel.create(
      {
        ...where,
        text,
        lang: analysis?.lang ?? detectLanguage(normalizeText(text)),
        label: input.label,
        predictedLabel: analysis?.label ?? null,
        predictedScore: analysis?.score ?? null,
        source: input.source,
        alertId: input.alertId ?? null,
      },
      { transaction: t },
    );
    await audit(t, actor.id, 'sentiment.label', input.itemKind, String(input.itemId), null, {
      label: input.label,
      replaced: previous?.label ?? null,
      predicted: analysis ? { label: analysis.label, score: analysis.score } : null,
      source: input.source,
      alertId: input.alertId ?? null,
    });
    return presentSentimentLabel(row);
  };
  return transaction ? run(transaction) : withTransaction(run);
}

/** Filters for the label list; newest first, `beforeId` pages on. */
export interface LabelQuery {
  itemKind?: LabelledItemKind;
  itemId?: number;
  label?: HumanSentimentLabel;
  source?: LabelSource;
  alertId?: number;
  beforeId?: number;
  limit?: number;
}

/** Labels for staff (the desk's feedback history, the console's review of corrections). */
export async function listSentimentLabels(actor: Actor, query: LabelQuery = {}): Promise<SentimentLabelView[]> {
  authorize(actor, 'alerts.view', null);
  const where: WhereOptions<SentimentLabel> = {};
  if (query.itemKind) where.itemKind = query.itemKind;
  if (query.itemId) where.itemId = query.itemId;
  if (query.label) where.label = query.label;
  if (query.source) where.source = query.source;
  if (query.alertId) where.alertId = query.alertId;
  if (query.beforeId) where.id = { [Op.lt]: query.beforeId };
  const limit = Math.min(500, Math.max(1, query.limit ?? 50));
  const rows = await SentimentLabel.findAll({ where, order: [['id', 'DESC']], limit });
  return rows.map(presentSentimentLabel);
}

/** One training example: what the text says, in whose language (several annotators may give several). */
export interface LabelledExample { text: string; label: HumanSentimentLabel; lang: string }

const BATCH = 1000;

/**
 * Every label usable for training, oldest first. Posts deleted since, or whose author has withdrawn
 * analytics consent since, are left out (the labels stay, and count again if consent returns).
 */
export async function labelledExamples(): Promise<LabelledExample[]> {
  const out: LabelledExample[] = [];
  let after = 0;
  for (;;) {
    const rows = await SentimentLabel.findAll({ where: { id: { [Op.gt]: after } }, order: [['id', 'ASC']], limit: BATCH, attributes: ['id', 'itemKind', 'itemId', 'text', 'label', 'lang'] });
    if (rows.length === 0) return out;
    after = rows[rows.length - 1].id;
    const postIds = [...new Set(rows.filter((r) => r.itemKind === 'post').map((r) => r.itemId))];
    const posts = postIds.length ? await Post.findAll({ where: { id: { [Op.in]: postIds } }, attributes: ['id', 'authorId', 'deletedAt'] }) : [];
    const authorIds = [...new Set(posts.map((p) => p.authorId))];
    const consenting = new Set(
      (authorIds.length ? await User.findAll({ where: { id: { [Op.in]: authorIds }, analyticsConsent: true }, attributes: ['id'] }) : []).map((u) => u.id),
    );
    const usable = new Set(posts.filter((p) => !p.deletedAt && consenting.has(p.authorId)).map((p) => p.id));
    for (const r of rows) if (r.itemKind === 'mention' || usable.has(r.itemId)) out.push({ text: r.text, label: r.label, lang: r.lang });
  }
}

/** The training examples as JSON lines {text, label, lang}, one per label. */
export async function exportLabels(): Promise<string> {
  return (await labelledExamples()).map((e) => JSON.stringify(e) + '\n').join('');
}

/** Forget the labels of these posts (an account deletion, inside its transaction): their text is the member's. */
export async function forgetPostLabels(postIds: number[], transaction: Transaction): Promise<void> {
  for (let i = 0; i < postIds.length; i += BATCH) {
    await SentimentLabel.destroy({ where: { itemKind: 'post', itemId: { [Op.in]: postIds.slice(i, i + BATCH) } }, transaction });
  }
}

/**
 * The Chinese model file the server loads instead of the committed one: SENTIMENT_MODEL_PATH,
 * else DATA_DIR/models/sentiment-zh.json (where `resonance retrain --write` puts it) when present.
 */
export function retrainedModelPath(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'models', 'sentiment-zh.json');
}

/** The model override for this configuration, or null for the committed model. */
export function zhModelOverride(config: Pick<Config, 'dataDir' | 'SENTIMENT_MODEL_PATH'>): string | null {
  if (config.SENTIMENT_MODEL_PATH) return path.resolve(config.SENTIMENT_MODEL_PATH);
  const retrained = retrainedModelPath(config);
  return fs.existsSync(retrained) ? retrained : null;
}

/**
 * The community word model retrained with that model (`resonance retrain --write` writes it beside
 * the sentiment model, as community-zh.json), or null for the committed one. A word model without
 * its sentiment model is not loaded: the two were fitted from the same labels.
 */
export function communityModelOverride(config: Pick<Config, 'dataDir' | 'SENTIMENT_MODEL_PATH'>): string | null {
  const zh = zhModelOverride(config);
  const file = zh ? communityModelPathBeside(zh) : null;
  return file && fs.existsSync(file) ? file : null;
}

/** Where the retrain writes the word model that goes with a sentiment model file. */
export function communityModelPathBeside(sentimentModelFile: string): string {
  return path.join(path.dirname(sentimentModelFile), 'community-zh.json');
}
