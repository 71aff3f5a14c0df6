/** A loopback TCP proxy the test can cut and restore: a real way to make a real backend "go down". */
import net from 'node:net';

export interface TcpProxy {
  url: string;
  /** Refuse new connections and drop open ones. */
  cut(): Promise<void>;
  /** Accept connections again (same port). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Proxy 127.0.0.1:<free port> to target (an http://host:port URL). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const handler = (client: net.Socket) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  };
  let server = net.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listenPort = (server.address() as net.AddressInfo).port;
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    url: `http://127.0.0.1:${listenPort}`,
    async cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await closeServer();
    },
    async restore() {
      server = net.createServer(handler);
      await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
    },
    async close() {
      for (const s of sockets) s.destroy();
      if (server.listening) await closeServer();
    },
  };
}
