import type { RfidRead } from '../../actors/contracts/raw.ts';

/**
 * Turns a chip's many reads at one crossing into one passing. A UHF reader sees a chip for as long as it is in the
 * mat's field (about a metre either side: a few hundred ms at race speed), many times. Reads of one chip less than
 * `gapMs` apart form a cluster; the cluster closes once `gapMs` passed without a read (on the reads' clock: the
 * time of a later read of any chip, or `flush`). Its crossing time is estimated two ways:
 * - first read: when the chip entered the field; early by about half the field's width, more on a fast bike;
 * - peak signal: the read with the highest RSSI, when the chip was nearest the antenna, i.e. over the mat (several
 *   reads at the peak: the middle one). The default: it is what the passing's `atUs` is.
 * `precisionUs` is how far apart the two are (at least 1 ms): the estimates' disagreement bounds the error.
 * A chip's passing less than `minIntervalMs` after its previous one is not a new crossing (a rider stopped by the
 * line, a chip read again on the way back): it is dropped and counted.
 */
export interface RfidClusterOptions {
  gapMs?: number;
  minIntervalMs?: number;
  estimate?: 'peak' | 'first';
}

export interface RfidPassing {
  chip: string;
  atUs: number;
  precisionUs: number;
  firstUs: number;
  peakUs: number;
  lastUs: number;
  reads: number;
  peakRssi: number;
}

export interface RfidClusterer {
  /** Takes a read (in time order, give or take `gapMs`); returns the passings of the clusters it closed. */
  push(read: RfidRead): RfidPassing[];
  /** Closes every open cluster (end of a log, or a timer while the mat is quiet). */
  flush(nowUs?: number): RfidPassing[];
  stats(): { reads: number; passings: number; tooSoon: number; openClusters: number };
}

export const DEFAULT_RFID_GAP_MS = 2000;
export const DEFAULT_RFID_MIN_INTERVAL_MS = 10_000;

export function createRfidClusterer(opts: RfidClusterOptions = {}): RfidClusterer {
  const gapUs = (opts.gapMs ?? DEFAULT_RFID_GAP_MS) * 1000;
  const minIntervalUs = (opts.minIntervalMs ?? DEFAULT_RFID_MIN_INTERVAL_MS) * 1000;
  const estimate = opts.estimate ?? 'peak';
  const open = new Map<string, RfidRead[]>();
  const lastPassingUs = new Map<string, number>();
  let reads = 0;
  let passings = 0;
  let tooSoon = 0;

  const close = (chip: string, cluster: RfidRead[]): RfidPassing[] => {
    open.delete(chip);
    const peakRssi = Math.max(...cluster.map((r) => r.rssi));
    const atPeak = cluster.filter((r) => r.rssi === peakRssi);
    const peakUs = atPeak[Math.floor((atPeak.length - 1) / 2)]!.atUs;
    const firstUs = cluster[0]!.atUs;
    const atUs = estimate === 'peak' ? peakUs : firstUs;
    const previous = lastPassingUs.get(chip);
    if (previous !== undefined && atUs - previous < minIntervalUs) {
      tooSoon++;
      return [];
    }
    lastPassingUs.set(chip, atUs);
    passings++;
    return [{ chip, atUs, precisionUs: Math.max(1000, peakUs - firstUs), firstUs, peakUs, lastUs: cluster.at(-1)!.atUs, reads: cluster.length, peakRssi }];
  };

  const closeQuiet = (nowUs: number) => {
    const out: RfidPassing[] = [];
    for (const [chip, cluster] of open) if (nowUs - cluster.at(-1)!.atUs > gapUs) out.push(...close(chip, cluster));
    return out.sort((a, b) => a.atUs - b.atUs);
  };

  return {
    push(read) {
      reads++;
      const closed = closeQuiet(read.atUs);
      const cluster = open.get(read.chip);
      if (cluster) {
        // A log is in time order only roughly (reads are batched): keep each cluster sorted.
        let i = cluster.length;
        while (i > 0 && cluster[i - 1]!.atUs > read.atUs) i--;
        cluster.splice(i, 0, read);
      } else open.set(read.chip, [read]);
      return closed;
    },
    flush(nowUs = Number.POSITIVE_INFINITY) {
      return closeQuiet(nowUs);
    },
    stats: () => ({ reads, passings, tooSoon, openClusters: open.size }),
  };
}
