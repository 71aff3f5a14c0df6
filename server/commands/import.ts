/** `resonance import FILE.jsonl`: backfill external mentions through the same validation as the API. */
import fs from 'node:fs';
import readline from 'node:readline';
import type { Config } from '../config';
import { openDatabase, closeDatabase } from '../db';
import { migrate } from '../migrate';
import { ingestMentions, MAX_BATCH } from '../services/mentions';

/** Import a JSON-lines file; returns the process exit code (0 ok, 1 when some lines were rejected). */
export async function importMentions(config: Config, file: string): Promise<number> {
  const total = fs.statSync(file).size;
  const sequelize = await openDatabase(config);
  await migrate(sequelize);
  const stream = fs.createReadStream(file);
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  const started = Date.now();
  let lineNo = 0;
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  let batch: { line: number; item: unknown }[] = [];
  const tty = process.stderr.isTTY;
  let lastReport = 0;

  const progress = (final = false) => {
    const now = Date.now();
    if (!final && now - lastReport < (tty ? 100 : 2000)) return;
    lastReport = now;
    const pct = total ? Math.min(100, (stream.bytesRead / total) * 100) : 100;
    const width = 30;
    const bar = '█'.repeat(Math.round((pct / 100) * width)).padEnd(width, '░');
    const rate = Math.round((accepted + duplicates + rejected) / Math.max(0.001, (now - started) / 1000));
    const text = `${bar} ${pct.toFixed(0).padStart(3)}%  ${accepted} accepted, ${duplicates} duplicates, ${rejected} rejected  ${rate}/s`;
    process.stderr.write(tty ? `\r${text}${final ? '\n' : ''}` : `${text}\n`);
  };

  const flush = async () => {
    if (batch.length === 0) return;
    const result = await ingestMentions(batch.map((b) => b.item));
    accepted += result.accepted;
    duplicates += result.duplicates;
    for (const r of result.rejected) {
      rejected++;
      process.stderr.write(`${tty ? '\n' : ''}line ${batch[r.index].line}: ${r.reason}\n`);
    }
    batch = [];
    progress();
  };

  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    try {
      batch.push({ line: lineNo, item: JSON.parse(line) });
    } catch {
      rejected++;
      process.stderr.write(`${tty ? '\n' : ''}line ${lineNo}: not valid JSON\n`);
    }
    if (batch.length >= Math.min(500, MAX_BATCH)) await flush();
  }
  await flush();
  progress(true);
  console.log(JSON.stringify({ file, lines: lineNo, accepted, duplicates, rejected, seconds: (Date.now() - started) / 1000 }));
  await closeDatabase();
  return rejected > 0 ? 1 : 0;
}
