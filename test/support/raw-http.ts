/** Byte-exact HTTP for tests: any method (fetch refuses TRACE), any bytes, any path spelling. */
import http from 'node:http';

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body when the response is JSON, else undefined. */
  json: any;
}

/** Send one request exactly as given (the path is not re-encoded); resolves with the whole reply. */
export function rawRequest(baseUrl: string, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<RawReply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // An explicit length: Node sends GET/DELETE bodies without one (neither chunked nor sized).
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers: { connection: 'close', ...length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        if (String(res.headers['content-type'] ?? '').includes('json') && text) json = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
