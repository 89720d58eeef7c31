import { WebSocketServer } from 'ws';
import { announce, runSource } from '../control.ts';
import { diffFrame } from '../payload.ts';

/**
 * Peer (a): what most club timing pages do: a `ws` server that sends the full standings as JSON to every client on
 * every change. Transport runs send the shared MessagePack frame instead.
 */
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
let seq = 0;
let skipped = 0;
const broadcast = (data: string | Uint8Array) => {
  for (const client of wss.clients) {
    // ws's send() has no return value; bufferedAmount is its backpressure signal. A naive page sends anyway, so
    // we only count how often a client was already behind by more than 1 MiB.
    if (client.bufferedAmount > 1024 * 1024) skipped += 1;
    client.send(data);
  }
};
wss.on('listening', () => {
  const address = wss.address();
  announce(typeof address === 'object' && address ? address.port : 0);
});
runSource({
  transport: (diff) => broadcast(diffFrame(++seq, diff)),
  passing: (_prev, next) => broadcast(JSON.stringify(next)),
  stats: () => ({ behind: skipped }),
  stop: () => new Promise<void>((resolve) => {
    for (const client of wss.clients) client.terminate();
    wss.close(() => resolve());
  }),
});
