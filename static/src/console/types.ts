/** The shapes the console reads from /api/v1/opinion/summary and /api/v1/kols (see server/openapi.yaml). */
export interface Counts {
  total: number;
  negative: number;
  neutral: number;
  positive: number;
}
export interface Bucket extends Counts {
  t: string;
  avgScore: number;
}
export interface Summary {
  buckets: Bucket[];
  topKeywords: { term: string; count: number }[];
  emerging: { term: string; score: number; count?: number; baselineCount?: number }[];
  byChapter: (Counts & { chapter: string; slug?: string; name?: string; avgScore?: number })[];
  bySource: (Counts & { source: string; avgScore?: number })[];
  shareOfVoice?: (Counts & { key: string })[];
  range?: { from: string; to: string; interval: 'minute' | 'hour' | 'day' };
}
export interface Kol {
  username?: string;
  handle?: string;
  displayName?: string;
  source: string;
  score: number;
  reach: number;
  sentiment: { label: string; score: number } | number | null;
  reasons: string[];
  url?: string;
}
