/** Embedded-backend specifics beyond the shared suite. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sqlite3 from '../../server/sqlite';
import { createEmbeddedBackend } from '../../search/embedded';
import { makeDocument } from '../../search/documents';

describe('embedded search backend: close()', () => {
  it('waits for searches still running instead of failing with SQLITE_BUSY (unfinalized statements)', async () => {
    const failures: string[] = [];
    for (let i = 0; i < 20; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-close-'));
      const backend = createEmbeddedBackend({ file: path.join(dir, 'search.sqlite') });
      await backend.init();
      await backend.index([makeDocument({ text: '续航很好，车机流畅' })]);
      // Fresh queries prepare new statements: close while they are in flight.
      const inFlight = [
        backend.count(),
        backend.search({ q: '续航', limit: 5 }),
        backend.ping(),
        backend.aggregate({ from: new Date(0), to: new Date(), interval: 'day' }),
      ].map((p) => p.catch(() => null));
      await backend.close().catch((err: Error) => failures.push(err.message));
      await Promise.all(inFlight);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(failures).to.deep.equal([]);
  });

  it('finalizes a statement prepared by two racing calls once (no leaked statement blocks close)', async () => {
    const failures: string[] = [];
    for (let i = 0; i < 10; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-close-'));
      const backend = createEmbeddedBackend({ file: path.join(dir, 'search.sqlite') });
      await backend.init();
      await backend.index([makeDocument({ text: '续航很好' })]);
      // The same new SQL text from several callers at once, all finished before close().
      await Promise.all([backend.count(), backend.count(), backend.count(), backend.search({ q: '续航', limit: 5 }), backend.search({ q: '续航', limit: 5 })]);
      await backend.close().catch((err: Error) => failures.push(err.message));
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(failures).to.deep.equal([]);
  });
});

describe('embedded search backend: schema upgrade', () => {
  it('upgrades a version-1 file in place: doc_keywords is filled from the documents already there', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-upgrade-'));
    const file = path.join(dir, 'search.sqlite');
    try {
      const docs = [
        makeDocument({ id: 'mention:1', text: '售后服务太差了，客服不回复' }),
        makeDocument({ id: 'mention:2', text: '售后服务很好，续航也不错' }),
        makeDocument({ id: 'mention:3', text: '续航很好，车机流畅' }),
      ];
      const range = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000), interval: 'day' as const, topKeywords: 20 };
      let backend = createEmbeddedBackend({ file });
      await backend.index(docs);
      const expected = (await backend.aggregate(range)).topKeywords;
      expect(expected.length).to.be.greaterThan(0);
      await backend.close();
      // Turn the file back into what version 1 wrote: no keyword table, triggers or aggregation index.
      const db = new sqlite3.Database(file);
      await new Promise<void>((resolve, reject) =>
        db.exec(
          'DROP TRIGGER docs_kw_ai; DROP TRIGGER docs_kw_ad; DROP TRIGGER docs_kw_au; DROP TABLE doc_keywords; DROP INDEX docs_agg; PRAGMA user_version = 1;',
          (err) => (err ? reject(err) : resolve()),
        ),
      );
      await new Promise<void>((resolve) => db.close(() => resolve()));
      backend = createEmbeddedBackend({ file });
      expect((await backend.aggregate(range)).topKeywords).to.deep.equal(expected);
      await backend.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
