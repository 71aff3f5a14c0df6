/** Stored analyses (written by the indexer), read for staff views. */
import { Op } from 'sequelize';
import { Analysis } from '../models';
import type { PostAnalysisView } from '../presenters';

/** The analyses of these documents, by doc id, in the contract's shape plus the reasons. */
export async function analysesOf(docIds: string[]): Promise<Map<string, PostAnalysisView & { confidence: number; reasons: string[]; complaint?: string }>> {
  if (docIds.length === 0) return new Map();
  const rows = await Analysis.findAll({ where: { docId: { [Op.in]: docIds } } });
  return new Map(
    rows.map((a) => [
      a.docId,
      { lang: a.lang, sentiment: { label: a.label, score: a.score }, keywords: a.keywords, confidence: a.confidence, reasons: a.reasons, complaint: a.complaint ?? undefined },
    ]),
  );
}
