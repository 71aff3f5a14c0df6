/**
 * The same-run ceiling for benchmarks: a bare node:http server (no framework, no database, no
 * templates) answering every request with the bytes of BODY_FILE as text/html. Listens on PORT.
 */
import fs from 'node:fs';
import http from 'node:http';

const body = fs.readFileSync(process.env.BODY_FILE ?? '');
const port = Number(process.env.PORT ?? 0);

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
