import net from 'node:net';
import { readP3Capture } from './capture.ts';

/**
 * Serves a P3 capture (capture.ts) over TCP like a decoder, to every client that connects: each gets the frames from
 * the start, as received (escaped), as fast as it reads. `transform` lets a test corrupt frames on the way.
 */
export interface P3ReplayServer {
  port: number;
  stop(): Promise<void>;
}

export async function createP3ReplayServer(opts: { file: string; port?: number; transform?: (frame: Uint8Array, index: number) => Uint8Array }): Promise<P3ReplayServer> {
  const frames = (await readP3Capture(opts.file)).map((f, i) => opts.transform?.(f, i) ?? f);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(Buffer.concat(frames));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
