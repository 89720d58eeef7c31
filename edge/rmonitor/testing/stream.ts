import type { NatsConnection } from '@nats-io/transport-node';
import type { EdgeRmonMessage } from '../../../actors/contracts/rmonitor.ts';
import { subjects } from '../../../actors/contracts/subjects.ts';
import { readEdgeMessages } from '../../../engine/testing/edge-stream.ts';

/** Every `rmon` message stream EDGE holds for one device, in stream order, with its JetStream message id. */
export async function readRmonStream(nc: NatsConnection, track: string, device: string): Promise<{ msg: EdgeRmonMessage; msgId: string | undefined }[]> {
  const messages = await readEdgeMessages(nc, subjects.edge(track, device, 'rmon'));
  return messages.map((m) => ({ msg: m.data as EdgeRmonMessage, msgId: m.msgId }));
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. Waits on a condition, never a fixed time. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
