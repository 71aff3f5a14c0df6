/** The error mapper (body-reading errors get a 4xx) and the one-line log of an unexpected error. */
import zlib from 'node:zlib';
import { expect } from 'chai';
import { logUnhandled, toAppError } from '../../server/middleware/errors';
import { log } from '../../server/log';

/** body-parser's shape for a zlib failure: http-errors sets status 400 and expose, but no `type`. */
function corruptBodyError(): Error {
  let err: Error | undefined;
  try {
    zlib.inflateSync(Buffer.from('not deflate'));
  } catch (e) {
    err = e as Error;
  }
  return Object.assign(err!, { status: 400, statusCode: 400, expose: true });
}

describe('toAppError', () => {
  it('maps a corrupt-encoding error without a `type` to 400 validation_failed', () => {
    const e = toAppError(corruptBodyError());
    expect([e.status, e.code]).to.deep.equal([400, 'validation_failed']);
  });

  it('maps unsupported encodings and charsets to 415 unsupported_media_type', () => {
    for (const err of [{ status: 415, expose: true, type: 'encoding.unsupported' }, { status: 415, expose: true, type: 'charset.unsupported' }]) {
      const e = toAppError(Object.assign(new Error('unsupported'), err));
      expect([e.status, e.code]).to.deep.equal([415, 'unsupported_media_type']);
    }
  });

  it('keeps unknown errors (also 5xx http-errors) internal', () => {
    expect(toAppError(new Error('boom')).code).to.equal('internal');
    expect(toAppError(Object.assign(new Error('x'), { status: 502, expose: false })).code).to.equal('internal');
  });
});

describe('logUnhandled', () => {
  it('writes one JSON line with the error name, a bounded message and its top frames only', () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    log.setLevel('error');
    try {
      const err = new Error(`SQLITE_ERROR: near "${'x'.repeat(1000)}"`);
      logUnhandled('unhandled error', { method: 'POST', path: '/api/v1/auth/login' }, err);
    } finally {
      process.stderr.write = write;
      log.setLevel('silent');
    }
    expect(lines).to.have.length(1);
    expect(lines[0].trimEnd().split('\n')).to.have.length(1);
    const entry = JSON.parse(lines[0]);
    expect(entry).to.include({ level: 'error', msg: 'unhandled error', method: 'POST', path: '/api/v1/auth/login' });
    expect(entry.error.name).to.equal('Error');
    expect(entry.error.message.length).to.be.at.most(200);
    expect(entry.error.frames).to.be.an('array').that.is.not.empty;
    expect(entry.error.frames.length).to.be.at.most(8);
    for (const frame of entry.error.frames) expect(frame).to.match(/^at /);
  });
});
