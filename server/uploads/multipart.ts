/**
 * The one multipart shape the upload API takes (CONTRACT: field `file`): find that part's bytes in
 * a body already read (and size-capped) by express.raw. No temp files, no streaming parser: an
 * upload is at most UPLOAD_MAX_BYTES plus a few hundred bytes of part headers.
 */

/** The boundary of a `multipart/form-data; boundary=...` Content-Type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  const m = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : null;
}

/** The content of the part named `field`, or null when there is none. */
export function multipartFile(body: Buffer, boundary: string, field = 'file'): Buffer | null {
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const headersStart = at + delimiter.length + 2; // past the CRLF after the delimiter
    if (body.subarray(at + delimiter.length, at + delimiter.length + 2).toString() === '--') return null; // closing delimiter
    const headersEnd = body.indexOf('\r\n\r\n', headersStart);
    if (headersEnd === -1) return null;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
    if (next === -1) return null;
    const headers = body.subarray(headersStart, headersEnd).toString('latin1');
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name === field) return body.subarray(headersEnd + 4, next);
    at = next + 2;
  }
  return null;
}
