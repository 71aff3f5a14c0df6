/**
 * Run as a child process by test/integration/warm-start.test.ts: a fresh process, so nothing of
 * the analysis is loaded yet. Prints which lazy parts are in memory before and after
 * createResonance (which returns before the server listens), as one JSON line.
 */
import { analysisLoaded } from '../../search/analysis';
import { createResonance } from '../../server/app';
import { loadConfig } from '../../server/config';

const before = analysisLoaded();
const resonance = await createResonance(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', DATA_DIR: process.env.DATA_DIR }));
const after = analysisLoaded();
await resonance.close();
process.stdout.write(`${JSON.stringify({ before, after })}\n`);
