/**
 * The same-run floor for the fan-out benchmark: a bare Socket.IO 4 server (no auth, no database,
 * no outbox) listening on PORT. Sockets join a room with the same `thread:join {threadId}` + ack
 * command Resonance uses; `POST /emit` with a JSON body `{threadId, post}` emits it as
 * `post:created` to that room and answers 204 once the emit has been queued to every socket.
 */
import http from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const roomOf = (threadId: unknown) => `thread:${String(threadId)}`;

const httpServer = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/emit') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { threadId: string };
        io.to(roomOf(payload.threadId)).emit('post:created', payload);
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
    return;
  }
  res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/plain' }).end('ok');
});

const io = new Server(httpServer, { serveClient: false, pingInterval: 20_000, pingTimeout: 20_000, maxHttpBufferSize: 16 * 1024 });
io.on('connection', (socket) => {
  socket.on('thread:join', (payload: { threadId?: unknown }, ack?: (r: unknown) => void) => {
    void socket.join(roomOf(payload?.threadId));
    if (typeof ack === 'function') ack({ ok: true, data: null });
  });
});

httpServer.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  io.disconnectSockets(true);
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
});
