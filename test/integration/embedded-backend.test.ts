/** Embedded-backend specifics beyond the shared suite. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
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
