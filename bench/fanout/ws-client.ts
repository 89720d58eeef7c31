import net from 'node:net';

/**
 * A lean WebSocket client on a raw TCP socket: the upgrade request, then server frames parsed in place (servers
 * never mask). Benchmarks open tens of thousands of these in one process, so it does no more than counting needs:
 * no extensions, no UTF-8 validation, fragments delivered as they come (no server here fragments small frames).
 */
export interface WsEvents {
  open(): void;
  /** One data frame: opcode 1 text, 2 binary. `payload` is only valid during the call. */
  message(opcode: number, payload: Buffer): void;
  /** Raw bytes read from the socket, WebSocket framing included. */
  bytes(n: number): void;
  close(reason: string): void;
}

export interface WsClient {
  /** Sends one masked frame (opcode 1 text, 2 binary); false when the kernel buffer is full and Node queued it. */
  send(opcode: number, payload: Buffer): boolean;
  close(): void;
}

/** Frames a client message. The mask key is zero: servers must unmask, and XOR with zero keeps the bytes as they are. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n]) : Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff]);
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

const EMPTY: Buffer = Buffer.alloc(0);

export function connectWs(url: URL, events: WsEvents, opts: { protocol?: string; localAddress?: string } = {}): WsClient {
  const socket = net.connect({ host: url.hostname, port: Number(url.port), localAddress: opts.localAddress });
  socket.setNoDelay(true);
  let upgraded = false;
  let pending: Buffer = EMPTY;
  let closed = false;

  const finish = (reason: string) => {
    if (closed) return;
    closed = true;
    socket.destroy();
    events.close(reason);
  };

  socket.once('connect', () => {
    socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
      (opts.protocol ? `Sec-WebSocket-Protocol: ${opts.protocol}\r\n` : '') + '\r\n');
  });

  const parseFrames = () => {
    let offset = 0;
    const buf = pending;
    while (buf.length - offset >= 2) {
      const b0 = buf[offset] ?? 0;
      const b1 = buf[offset + 1] ?? 0;
      let length = b1 & 0x7f;
      let start = offset + 2;
      if (length === 126) {
        if (buf.length - offset < 4) break;
        length = buf.readUInt16BE(offset + 2);
        start = offset + 4;
      } else if (length === 127) {
        if (buf.length - offset < 10) break;
        length = Number(buf.readBigUInt64BE(offset + 2));
        start = offset + 10;
      }
      if (buf.length < start + length) break;
      const opcode = b0 & 0x0f;
      const payload = buf.subarray(start, start + length);
      offset = start + length;
      if (opcode === 9) socket.write(clientFrame(10, payload)); // ping → pong
      else if (opcode === 8) return finish('closed by server');
      else if (opcode !== 10) events.message(opcode, payload);
    }
    pending = offset === buf.length ? EMPTY : buf.subarray(offset);
  };

  socket.on('data', (chunk: Buffer) => {
    events.bytes(chunk.length);
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    if (!upgraded) {
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = pending.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) return finish(`upgrade refused: ${head.split('\r\n')[0] ?? ''}`);
      upgraded = true;
      pending = pending.subarray(end + 4);
      events.open();
    }
    parseFrames();
  });
  socket.on('error', (error) => finish(error.message));
  socket.on('close', () => finish('socket closed'));

  return {
    send: (opcode, payload) => socket.write(clientFrame(opcode, payload)),
    close: () => finish('closed by client'),
  };
}
