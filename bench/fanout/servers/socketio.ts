import http from 'node:http';
import { Server } from 'socket.io';
import { diffView } from '../../../actors/contracts/view-diff.ts';
import { announce, runSource } from '../control.ts';
import { diffFrame } from '../payload.ts';

/**
 * Peer (b): Socket.IO 4 broadcasting each change as JSON (`io.emit('diff', diff)`, encoded once per broadcast by
 * Socket.IO). WebSocket transport only (no long-polling), no compression: its fastest configuration.
 * Transport runs emit the shared MessagePack frame as a binary attachment (Socket.IO sends it as a placeholder
 * text frame plus the binary frame).
 */
const server = http.createServer();
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
let seq = 0;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announce(typeof address === 'object' && address ? address.port : 0);
});
runSource({
  transport: (diff) => io.emit('f', Buffer.from(diffFrame(++seq, diff))),
  passing: (prev, next) => {
    const diff = diffView(prev, next);
    if (diff) io.emit('diff', diff);
  },
  stop: () => new Promise<void>((resolve) => {
    io.close(() => resolve());
  }),
});
