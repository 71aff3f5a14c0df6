import fs from 'node:fs';
import readline from 'node:readline';
import sqlite3 from 'sqlite3';
import { createEmbeddedBackend } from './search/embedded';
import type { SearchDocument } from './search/backend';
const file = '/tmp/prof-opinion/search.sqlite';
if (!fs.existsSync(file)) {
  fs.mkdirSync('/tmp/prof-opinion', { recursive: true });
  const b = createEmbeddedBackend({ file });
  await b.init();
  const cache = fs.readdirSync('.cache/bench').find((f) => f.startsWith('search-docs-100000'))!;
  let batch: SearchDocument[] = [];
  for await (const line of readline.createInterface({ input: fs.createReadStream(`.cache/bench/${cache}`) })) {
    if (!line) continue;
    batch.push(JSON.parse(line));
    if (batch.length === 1000) { await b.index(batch); batch = []; }
  }
  if (batch.length) await b.index(batch);
  await b.close();
}
const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
const all = (sql: string, p: unknown[] = []) => new Promise<unknown[]>((res, rej) => db.all(sql, p, (e, r) => (e ? rej(e) : res(r))));
const A = Date.parse('2025-06-01T00:00:00.000Z'); const D = 86_400_000;
const t = async (name: string, sql: string, p: unknown[] = []) => {
  await all(sql, p);
  const s = performance.now(); const r = await all(sql, p); const ms = performance.now() - s;
  console.log(name, ms.toFixed(1), 'ms', JSON.stringify(r).slice(0, 120));
};
for (const q of process.argv.slice(2)) console.log(JSON.stringify(await all('EXPLAIN QUERY PLAN ' + q)));
await t('count kw rows', 'SELECT count(*) FROM doc_keywords');
await t('emerging simple', 'SELECT d.term, sum(d.created_at >= ?) AS c, count(*) AS b FROM doc_keywords d WHERE d.created_at >= ? AND d.created_at < ? GROUP BY d.term HAVING c >= 3', [A - D, A - 8 * D, A]);
await t('totals', 'SELECT sum(d.created_at >= ?) , count(*) FROM docs d WHERE d.created_at >= ? AND d.created_at < ?', [A - D, A - 8 * D, A]);
await t('sov 极光', `SELECT count(*) FROM docs d WHERE d.created_at >= ? AND d.created_at < ? AND d.rid IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?)`, [A - D, A, '("极光") OR ("aurora")']);
await t('fts only 极光', `SELECT count(*) FROM docs_fts WHERE docs_fts MATCH ?`, ['("极光") OR ("aurora")']);
await t('emerging negative join', `SELECT k.term, sum(d.created_at >= ?) AS c, count(*) AS b FROM docs d JOIN doc_keywords k ON k.created_at = d.created_at AND k.rid = d.rid WHERE d.sentiment_label = 'negative' AND d.created_at >= ? AND d.created_at < ? GROUP BY k.term HAVING c >= 3`, [A - D, A - 8 * D, A]);
await t('keyword filter buckets', `SELECT count(*) FROM docs d WHERE d.created_at >= ? AND d.created_at < ? AND EXISTS (SELECT 1 FROM doc_keywords kw WHERE kw.created_at = d.created_at AND kw.rid = d.rid AND kw.term = ?)`, [A - D, A, '充电']);
db.close();
