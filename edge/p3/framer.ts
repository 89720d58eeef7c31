import type { P3ErrorKind } from '../../actors/contracts/raw.ts';

/**
 * P3 framing over a byte stream: a frame starts at SOR 0x8E and ends at EOR 0x8F. Inside a frame 0x8D escapes the
 * next byte, sent as its value + 0x20 (so 0x8D, 0x8E, 0x8F never appear as data). The framer hands on each frame
 * unescaped (SOR to EOR) with the bytes as received; everything else is an error it reports and skips:
 * a run of bytes between frames (`framing`, once the next SOR shows where it ends), a SOR inside a frame (the frame before it was cut: `framing`), an escape not
 * followed by an escaped value (`bad-escape`), a frame over `maxLength` (`too-long`, skipped to the next SOR).
 */
export const SOR = 0x8e;
export const EOR = 0x8f;
export const ESC = 0x8d;
const ESC_OFFSET = 0x20;

export interface P3FramerSink {
  onFrame(frame: Uint8Array, received: Uint8Array): void;
  onError(kind: P3ErrorKind, message: string, received: Uint8Array): void;
}

export interface P3Framer {
  push(chunk: Uint8Array): void;
  /** The stream ended (connection closed): a frame in progress is reported as cut. */
  end(): void;
}

export function createP3Framer(sink: P3FramerSink, opts: { maxLength?: number } = {}): P3Framer {
  const maxLength = opts.maxLength ?? 1024;
  let inFrame = false;
  let skipping = false; // inside a too-long frame, waiting for the next SOR
  let escaped = false;
  let frame: number[] = [];
  let received: number[] = [];
  let junk: number[] = [];

  const flushJunk = () => {
    if (junk.length === 0) return;
    sink.onError('framing', `${junk.length} byte(s) outside a frame skipped`, Uint8Array.from(junk));
    junk = [];
  };
  const start = () => {
    flushJunk();
    inFrame = true;
    skipping = false;
    escaped = false;
    frame = [SOR];
    received = [SOR];
  };

  const onByte = (b: number) => {
    if (!inFrame) {
      if (b === SOR) start();
      else if (!skipping) {
        junk.push(b);
        if (junk.length >= maxLength) flushJunk(); // a stream of garbage is reported in pieces
      }
      return;
    }
    if (b === SOR) {
      sink.onError('framing', `frame cut after ${received.length} byte(s): a new frame started before its EOR`, Uint8Array.from(received));
      start();
      return;
    }
    received.push(b);
    if (received.length > maxLength) {
      sink.onError('too-long', `frame over ${maxLength} bytes, skipped to the next SOR`, Uint8Array.from(received));
      inFrame = false;
      skipping = true;
      return;
    }
    if (escaped) {
      escaped = false;
      const value = b - ESC_OFFSET;
      if (b === EOR || value < 0) {
        sink.onError('bad-escape', `escape 0x8d followed by 0x${b.toString(16).padStart(2, '0')}`, Uint8Array.from(received));
        inFrame = false;
        return;
      }
      frame.push(value);
    } else if (b === ESC) {
      escaped = true;
    } else if (b === EOR) {
      frame.push(EOR);
      inFrame = false;
      sink.onFrame(Uint8Array.from(frame), Uint8Array.from(received));
    } else {
      frame.push(b);
    }
  };

  return {
    push(chunk) {
      for (const b of chunk) onByte(b);
    },
    end() {
      if (inFrame) sink.onError('framing', `stream ended inside a frame after ${received.length} byte(s)`, Uint8Array.from(received));
      inFrame = false;
      skipping = false;
      flushJunk();
    },
  };
}

/** Escapes a frame for the wire (tests, replays): 0x8D, 0x8E, 0x8F between SOR and EOR become 0x8D, value + 0x20. */
export function escapeP3Frame(frame: Uint8Array): Uint8Array {
  const out: number[] = [frame[0]!];
  for (let i = 1; i < frame.length - 1; i++) {
    const b = frame[i]!;
    if (b === ESC || b === SOR || b === EOR) out.push(ESC, b + ESC_OFFSET);
    else out.push(b);
  }
  out.push(frame[frame.length - 1]!);
  return Uint8Array.from(out);
}
