import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_OUTBOX_MAX_BYTES, entryBytes, OutboxFullError, type Outbox, type OutboxEntry } from './outbox.ts';

/**
 * The outbox on disk, one directory per agent:
 * - `seg-<first index>.log`: append-only segments, one entry per line, `<subject> <msgId> <data>`;
 * - `acked`: the index of the last acknowledged entry (fixed width, rewritten in place);
 * - `lock`: the PID of the agent using the directory (a second live agent is refused);
 * - `unreadable.log`: lines that could not be read back (a write torn by a crash), set aside.
 *
 * An entry is written before `append` returns, so a reading survives `kill -9` once the agent took it; the data is
 * fdatasync'ed at most every `syncMs` (group commit: a sync per reading would stall a busy agent's event loop), so a
 * power loss costs at most the readings of the last `syncMs`. A segment is deleted when all its entries are acknowledged; only the oldest segment is held
 * in memory. Losing a cursor update after a crash only means a re-send, which the stream or the actor drops.
 */
export interface DiskOutboxOptions {
  maxBytes?: number;
  /** A new segment starts beyond this size (default 4 MiB). */
  segmentBytes?: number;
  /** fdatasync at most this often (default 50 ms; 0: after every append). */
  syncMs?: number;
  log?: (line: string) => void;
}

export class OutboxLockedError extends Error {
  override name = 'OutboxLockedError';
}

const SEGMENT = /^seg-(\d{16})\.log$/;
const segmentName = (first: number) => `seg-${String(first).padStart(16, '0')}.log`;
const CURSOR_WIDTH = 20;

interface Segment {
  first: number;
  file: string;
  bytes: number;
}

export function openDiskOutbox(dir: string, opts: DiskOutboxOptions = {}): Outbox {
  const maxBytes = opts.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
  const segmentBytes = opts.segmentBytes ?? 4 * 1024 ** 2;
  const syncMs = opts.syncMs ?? 50;
  const log = opts.log ?? (() => undefined);
  fs.mkdirSync(dir, { recursive: true });
  const lockFile = takeLock(dir);

  let unreadable = 0;
  const setAside = (text: string, why: string) => {
    unreadable++;
    fs.appendFileSync(path.join(dir, 'unreadable.log'), `${text}\n`);
    log(`outbox ${dir}: ${why}: set aside in unreadable.log`);
  };

  const scan = scanDir(dir);
  let acked = scan.acked;
  const cursorFile = path.join(dir, 'acked');
  const cursorFd = fs.openSync(cursorFile, fs.existsSync(cursorFile) ? 'r+' : 'w+');
  const writeCursor = () => fs.writeSync(cursorFd, String(acked).padStart(CURSOR_WIDTH, '0'), 0);

  // A crash in the middle of an append leaves a partial last line: it was never published (publishing follows the
  // append), so it is set aside and the segment ends at its last complete line.
  const segments: Segment[] = scan.segments.map((s) => ({ ...s }));
  const last = segments.at(-1);
  if (last) {
    const text = fs.readFileSync(last.file, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      setAside(text.slice(end), `a partial last line in ${path.basename(last.file)}`);
      fs.truncateSync(last.file, Buffer.byteLength(text.slice(0, end)));
      last.bytes = Buffer.byteLength(text.slice(0, end));
    }
  }
  // Segments entirely acknowledged are gone; the last one stays as the one written to.
  while (segments.length > 1 && segments[1]!.first - 1 <= acked) fs.rmSync(segments.shift()!.file);
  let nextIndex = last ? last.first + countLines(fs.readFileSync(last.file, 'utf8')) : acked + 1;
  if (segments.length === 0 || nextIndex <= acked) {
    nextIndex = Math.max(nextIndex, acked + 1);
    segments.push({ first: nextIndex, file: path.join(dir, segmentName(nextIndex)), bytes: 0 });
  }

  // The oldest segment's lines, and how many of them are acknowledged.
  let headLines: string[] = [];
  let headPos = 0;
  const loadHead = () => {
    const head = segments[0]!;
    headLines = fs.existsSync(head.file) ? splitLines(fs.readFileSync(head.file, 'utf8')) : [];
    headPos = Math.min(headLines.length, Math.max(0, acked - head.first + 1));
  };
  loadHead();

  let pendingBytes = segments.reduce((sum, s) => sum + s.bytes, 0) - headLines.slice(0, headPos).reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0);
  let writeFd = fs.openSync(segments.at(-1)!.file, 'a');
  const recovered = nextIndex - 1 - Math.max(acked, segments[0]!.first - 1);
  if (recovered > 0) log(`outbox ${dir}: ${recovered} unacknowledged entries from an earlier run, sent first`);

  /** The head segment is done: delete it and read the next. */
  const nextSegment = () => {
    fs.rmSync(segments.shift()!.file, { force: true });
    loadHead();
  };

  let cachedHead: OutboxEntry | undefined;
  let syncTimer: NodeJS.Timeout | undefined;
  const sync = () => {
    clearTimeout(syncTimer);
    syncTimer = undefined;
    fs.fdatasyncSync(writeFd);
  };

  return {
    append(message) {
      const line = `${message.subject} ${message.msgId} ${message.data}`;
      if (/[ \n]/.test(message.subject) || /[ \n]/.test(message.msgId) || message.data.includes('\n')) {
        throw new Error(`outbox: subject and message id take no spaces, data no newline: ${line.slice(0, 120)}`);
      }
      const size = entryBytes(message);
      if (pendingBytes + size > maxBytes) throw new OutboxFullError(`outbox ${dir} full: ${pendingBytes} of ${maxBytes} bytes pending`);
      let current = segments.at(-1)!;
      if (current.bytes >= segmentBytes) {
        sync();
        fs.closeSync(writeFd);
        const fresh = { first: nextIndex, file: path.join(dir, segmentName(nextIndex)), bytes: 0 };
        writeFd = fs.openSync(fresh.file, 'a');
        const headDone = segments.length === 1 && headPos === headLines.length;
        segments.push(fresh);
        if (headDone) nextSegment();
        current = fresh;
      }
      try {
        fs.writeSync(writeFd, `${line}\n`);
        if (syncMs === 0) sync();
        else syncTimer ??= setTimeout(sync, syncMs).unref();
      } catch (err) {
        fs.ftruncateSync(writeFd, current.bytes); // no partial line stays behind
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') throw new OutboxFullError(`outbox ${dir}: disk full`, { cause: err });
        throw err;
      }
      current.bytes += size;
      pendingBytes += size;
      if (segments.length === 1) headLines.push(line);
      return { ...message, index: nextIndex++ };
    },
    head() {
      if (cachedHead) return cachedHead;
      for (;;) {
        if (headPos < headLines.length) {
          const line = headLines[headPos]!;
          const entry = parseLine(line, segments[0]!.first + headPos);
          if (entry) return (cachedHead = entry);
          setAside(line, `entry ${segments[0]!.first + headPos} is not '<subject> <msgId> <data>'`);
          headPos++;
          pendingBytes -= Buffer.byteLength(line) + 1;
          acked = segments[0]!.first + headPos - 1;
          writeCursor();
        } else if (segments.length > 1) {
          nextSegment();
        } else {
          return undefined;
        }
      }
    },
    ack(entry) {
      const head = this.head();
      if (head?.index !== entry.index) throw new Error(`outbox: ack of ${entry.index}, but the head is ${head?.index}`);
      cachedHead = undefined;
      headPos++;
      pendingBytes -= entryBytes(entry);
      acked = entry.index;
      writeCursor();
      if (headPos === headLines.length && segments.length > 1) nextSegment();
    },
    stats: () => ({ durable: true, dir, pending: nextIndex - 1 - acked, pendingBytes, maxBytes, diskFreeBytes: diskFree(dir), recovered: Math.max(0, recovered), unreadable }),
    close() {
      sync();
      fs.closeSync(writeFd);
      fs.closeSync(cursorFd);
      fs.rmSync(lockFile, { force: true });
    },
  };
}

/** What an outbox directory holds (nothing when it does not exist), read without taking it (an operator, a test after `kill -9`). */
export function inspectOutbox(dir: string): { pending: number; acked: number; lastIndex: number; lockedBy?: number } {
  const { acked, segments } = scanDir(dir);
  const last = segments.at(-1);
  const lastIndex = last ? last.first - 1 + countLines(fs.readFileSync(last.file, 'utf8')) : acked;
  const holder = Number(readOr(path.join(dir, 'lock'), ''));
  return { pending: Math.max(0, lastIndex - acked), acked, lastIndex, ...(holder && isAlive(holder) ? { lockedBy: holder } : {}) };
}

function scanDir(dir: string): { acked: number; segments: Segment[] } {
  if (!fs.existsSync(dir)) return { acked: 0, segments: [] };
  const acked = Number(readOr(path.join(dir, 'acked'), '0').trim()) || 0;
  const segments = fs
    .readdirSync(dir)
    .map((name) => SEGMENT.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const file = path.join(dir, m[0]);
      return { first: Number(m[1]), file, bytes: fs.statSync(file).size };
    })
    .sort((a, b) => a.first - b.first);
  return { acked, segments };
}

function diskFree(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

function parseLine(line: string, index: number): OutboxEntry | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  if (a <= 0 || b <= a + 1 || b === line.length - 1) return undefined;
  return { index, subject: line.slice(0, a), msgId: line.slice(a + 1, b), data: line.slice(b + 1) };
}

const splitLines = (text: string) => (text === '' ? [] : text.slice(0, text.lastIndexOf('\n')).split('\n'));
const countLines = (text: string) => splitLines(text).length;

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One agent per outbox: the lock names its PID; a lock left by a dead process is taken over. */
function takeLock(dir: string): string {
  const file = path.join(dir, 'lock');
  const holder = Number(readOr(file, '').trim());
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new OutboxLockedError(`outbox ${dir} is in use by process ${holder}: one agent per outbox directory`);
  }
  fs.writeFileSync(file, String(process.pid));
  return file;
}

