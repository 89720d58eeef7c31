import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import type { SessionRef } from '../../../actors/scoring/state.ts';
import { createLeases, type Lease, type Leases } from '../../../engine/ownership/leases.ts';
import { createPoisonRegistry } from '../../../engine/poison.ts';
import { startSessionHost, type SessionHostOptions } from '../../../engine/session-host.ts';
import { cpuSeconds } from '../../fanout/proc.ts';

/**
 * One takeover of a session, timed, on the engine's own path: a lease on the session (engine/ownership/leases.ts, a
 * new epoch), then `startSessionHost` — which loads the KV `session-state` snapshot if there is one, writes its owner
 * marker, and folds RACE from the snapshot's sequence (or from the start) — until it has folded up to its own marker,
 * the moment it serves the session (`caughtUp` in session-host.ts: inputs and commands are refused before it).
 * Then a graceful stop, which tries to save the final snapshot, and the lease released.
 */
export interface TakeoverTiming {
  /** Whether the host caught up before the timeout; when not, `totalMs` is the time given and `folded` how far it got. */
  caughtUp: boolean;
  /** RACE messages folded (or skipped) after its start, and how many there were up to its marker. */
  folded: number;
  /** From asking for the lease to the host folded up to its marker (or to the timeout). */
  totalMs: number;
  /** Of which: lease taken. */
  leaseMs: number;
  /** Of which: `startSessionHost` resolved (snapshot loaded from KV and restored, marker written, consumer created). */
  startMs: number;
  /** RACE messages the host read after its start (events, laps, markers up to its own). */
  messagesRead: number;
  /** RACE messages that the takeover added (its marker, and laps written again that the dedupe window did not drop). */
  streamGrowth: number;
  /** Whether it started from a snapshot, and the RACE sequence it restored at. */
  restoredAt?: number;
  /** CPU used meanwhile by this process (the host) and by nats-server, ms: where a slow takeover spends its time. */
  hostCpuMs: number;
  serverCpuMs: number;
  /** Lines the host logged at level warn or error (e.g. "final snapshot not saved"). */
  problems: string[];
}

export const leaseKey = (ref: SessionRef) => `${ref.track}.${ref.session}`;

/** A lease on `ref` as engine `node` (retried while the watch has not seen the key's last state yet). */
export async function takeLease(nc: NatsConnection, ref: SessionRef, node: string): Promise<{ lease: Lease; leases: Leases }> {
  const kv = await new Kvm(nc).open('session-owner');
  const leases = await createLeases({ kv, log: () => undefined }, { node, ttlMs: 60_000 });
  for (let attempt = 0; attempt < 50; attempt++) {
    const lease = await leases.tryAcquire(leaseKey(ref));
    if (lease) return { lease, leases };
    await new Promise((r) => setTimeout(r, 20));
  }
  await leases.stop();
  throw new Error(`no lease on ${leaseKey(ref)} for ${node}`);
}

export async function timeTakeover(nc: NatsConnection, ref: SessionRef, opts: { node: string; timeoutMs: number; serverPid: number; host?: SessionHostOptions }): Promise<TakeoverTiming> {
  const jsm = await jetstreamManager(nc);
  const before = (await jsm.streams.info('RACE')).state.last_seq;
  const problems: string[] = [];
  const cpu0 = process.cpuUsage();
  const server0 = cpuSeconds(opts.serverPid) ?? 0;
  const t0 = performance.now();
  const { lease, leases } = await takeLease(nc, ref, opts.node);
  const tLease = performance.now();
  const kvm = new Kvm(nc);
  const host = await startSessionHost(
    {
      nc,
      registry: new Registry(),
      log: (line, fields) => {
        if (fields?.level === 'warn' || fields?.level === 'error') problems.push(line);
      },
      state: await kvm.open('session-state'),
      events: () => kvm.open('events'),
      poison: createPoisonRegistry(),
      onFenced: () => undefined,
    },
    { ...ref },
    { lease, node: opts.node },
    opts.host,
  );
  const tStart = performance.now();
  const startedAt = host.appliedStreamSeq();
  // Its marker is the first message after `before` (nothing else writes to this stream meanwhile).
  const marker = before + 1;
  let folded = 0;
  let tDone = 0;
  let caughtUp = false;
  let hostCpu = { user: 0, system: 0 };
  let serverCpu = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        caughtUp = host.appliedStreamSeq() >= marker;
        if (caughtUp || performance.now() - t0 > opts.timeoutMs) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
      host.failed.catch((err: Error) => {
        clearInterval(timer);
        reject(err);
      });
    });
    tDone = performance.now();
    folded = host.appliedStreamSeq() - startedAt;
  } finally {
    hostCpu = process.cpuUsage(cpu0);
    serverCpu = (cpuSeconds(opts.serverPid) ?? 0) - server0;
    await host.stop();
    await lease.release();
    await leases.stop();
  }
  const after = (await jsm.streams.info('RACE')).state.last_seq;
  return {
    caughtUp,
    folded,
    totalMs: tDone - t0,
    leaseMs: tLease - t0,
    startMs: tStart - tLease,
    messagesRead: marker - startedAt,
    streamGrowth: after - before,
    ...(startedAt > 0 && { restoredAt: startedAt }),
    hostCpuMs: (hostCpu.user + hostCpu.system) / 1000,
    serverCpuMs: serverCpu * 1000,
    problems,
  };
}
