/** KOL identification (issue #9): the interaction graph, scores with explanations, flags. */
export { InteractionGraph, KIND_WEIGHT, buildCsr, type Interaction, type InteractionKind, type GraphOptions, type GraphSnapshot, type AddResult, type Csr } from './graph';
export { weightedPageRank, coreNumbers, undirectedCsr, type PageRankOptions, type PageRankResult } from './centrality';
export {
  scoreAll, scoresOf, scoreFromState, computeKolState, evidenceFor, flagKols, resolveParams, DEFAULT_KOL_PARAMS,
  type KolParams, type KolParts, type KolScore, type KolState, type KolNorms,
} from './score';
export { IncrementalKol } from './incremental';
export { KolRecomputeThread } from './recompute-thread';
export { KOL_REASON_EN, renderReason, type KolReason, type KolReasonKey } from './reasons';
