/**
 * The few MQTT 3.1.1 packets the benchmark needs, QoS 0 only: CONNECT, SUBSCRIBE, PUBLISH, and a stream splitter.
 * Hand-written so that receivers stay lean (a full client per connection would measure the client, not the broker).
 */

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const str = (s: string) => {
  const b = utf8(s);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

const packet = (first: number, body: Buffer) => Buffer.concat([Buffer.from([first]), remainingLength(body.length), body]);

/** CONNECT with a clean session and no keep-alive (runs are short; the broker then never expects pings). */
export const connectPacket = (clientId: string) =>
  packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 0]), str(clientId)]));

export const subscribePacket = (topic: string, id = 1) =>
  packet(0x82, Buffer.concat([Buffer.from([id >> 8, id & 0xff]), str(topic), Buffer.from([0])]));

export const publishPacket = (topic: string, payload: Uint8Array) => packet(0x30, Buffer.concat([str(topic), payload]));

export const PACKET = { CONNACK: 2, PUBLISH: 3, SUBACK: 9 } as const;

/**
 * Splits a byte stream into MQTT packets. `onPacket(type, body)` gets the packet type (high nibble) and the bytes
 * after the fixed header; returns the unconsumed tail to keep for the next chunk.
 */
export function splitPackets(buffer: Buffer, onPacket: (type: number, first: number, body: Buffer) => void): Buffer {
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    let length = 0;
    let multiplier = 1;
    let i = offset + 1;
    let complete = false;
    for (; i < buffer.length && i < offset + 5; i += 1) {
      const byte = buffer[i] ?? 0;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) {
        complete = true;
        break;
      }
    }
    if (!complete) break;
    const start = i + 1;
    if (buffer.length < start + length) break;
    const first = buffer[offset] ?? 0;
    onPacket(first >> 4, first, buffer.subarray(start, start + length));
    offset = start + length;
  }
  return offset === buffer.length ? EMPTY : buffer.subarray(offset);
}

const EMPTY: Buffer = Buffer.alloc(0);

/** The payload of a QoS 0 PUBLISH body (after the topic). */
export function publishPayload(body: Buffer): Buffer {
  const topicLength = body.readUInt16BE(0);
  return body.subarray(2 + topicLength);
}
