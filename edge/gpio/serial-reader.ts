import fs from 'node:fs';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { createLineFramer } from '../rmonitor/line-framer.ts';
import type { Crossing } from './crossing.ts';
import type { CrossingStamp } from './crossing-stamp.ts';

/** Where a serial car-id sensor's lines come from. */
export type SerialSource = { path: string } | { tcp: { host: string; port: number } } | { stdin: true };

const CAR_ID = /^[A-Za-z0-9-]{1,32}$/;

/**
 * Wiring (c): a microcontroller that prints one car id per line (`17\n`) when a car crosses, read from a serial
 * device (`/dev/ttyUSB0`, set up beforehand with `stty`), a TCP port (a serial-to-network bridge) or stdin. The
 * crossing is stamped when its bytes arrive, before framing: precision is the sensor's own latency plus the serial
 * transfer (about 1 ms per 10 characters at 115200 baud). Anything but an id on a line is counted and skipped.
 * Debounce per car id: a sensor that prints the same id twice within the window reports one crossing.
 * A TCP source reconnects every second while it is down; a device or stdin that ends is logged.
 */
export function readSerial(
  source: SerialSource,
  stamp: CrossingStamp,
  onCrossing: (c: Crossing) => void,
  onError: (message: string) => void,
  log: (line: string) => void,
): () => void {
  let stopped = false;
  let current: Readable | undefined;
  let retry: NodeJS.Timeout | undefined;

  const attach = (stream: Readable, name: string) => {
    current = stream;
    let chunkAtUs = 0;
    const framer = createLineFramer(
      {
        onLine(text, lineNo) {
          const id = text.trim();
          if (id === '') return;
          if (!CAR_ID.test(id)) return onError(`${name} line ${lineNo}: not a car id: ${JSON.stringify(id.slice(0, 40))}`);
          if (stamp.accept(`car:${id}`, chunkAtUs)) onCrossing({ atUs: chunkAtUs, carId: id });
        },
        onTooLong: (head, lineNo) => onError(`${name} line ${lineNo}: over 64 characters: ${JSON.stringify(head.slice(0, 40))}`),
      },
      { maxLength: 64 },
    );
    stream.on('data', (chunk: Buffer) => {
      chunkAtUs = stamp.stamp();
      framer.push(chunk);
    });
    stream.on('error', (e) => log(`gpio serial: ${name}: ${e.message}`));
    stream.on('close', () => {
      framer.end();
      if (stopped) return;
      if ('tcp' in source) {
        log(`gpio serial: ${name} closed, reconnecting in 1 s`);
        retry = setTimeout(open, 1000);
      } else log(`gpio serial: ${name} ended: no more car ids are read`);
    });
  };

  const open = () => {
    if ('path' in source) attach(fs.createReadStream(source.path), source.path);
    else if ('tcp' in source) attach(net.createConnection(source.tcp), `${source.tcp.host}:${source.tcp.port}`);
    else attach(process.stdin, 'stdin');
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    if (current !== process.stdin) current?.destroy();
  };
}
