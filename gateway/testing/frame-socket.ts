import { decode, encode } from '@msgpack/msgpack';
import type { Test } from 'tap';
import WebSocket from 'ws';
import type { ClientFrame, ServerFrame } from '../protocol.ts';
import { waitFor } from './wait.ts';

/**
 * A bare WebSocket on the gateway's `/ws` that records every frame it gets, decoded (the first is `hello`, already
 * received when this resolves), and sends frames as given — also what a well-behaved client never would. Closed at
 * the test's teardown.
 */
export async function openFrameSocket(t: Test, url: string): Promise<{ ws: WebSocket; frames: ServerFrame[]; send(frame: ClientFrame): void }> {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const frames: ServerFrame[] = [];
  ws.on('message', (data: ArrayBuffer) => frames.push(decode(data) as ServerFrame));
  t.teardown(() => ws.close());
  await waitFor(() => frames.length === 1, 'the hello frame');
  return { ws, frames, send: (frame) => ws.send(encode(frame)) };
}
