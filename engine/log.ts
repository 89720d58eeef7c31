/**
 * Logging. Every part takes a `Log` as a dependency: a line for people, and optional fields for machines (session,
 * track, stream sequence, level). The process decides the format once: text for a terminal, JSON lines (one object per
 * line with time, level, service, msg and the fields) for a log collector.
 */
export type LogFields = { level?: 'info' | 'warn' | 'error' } & Record<string, unknown>;
export type Log = (line: string, fields?: LogFields) => void;
export type LogFormat = 'text' | 'json';

export function createLogger(opts: { format: LogFormat; service: string; write: (line: string) => void; now?: () => Date }): Log {
  const now = opts.now ?? (() => new Date());
  if (opts.format === 'text') return (line) => opts.write(line);
  return (line, fields = {}) => {
    const { level, ...rest } = fields;
    opts.write(JSON.stringify({ time: now().toISOString(), level: level ?? 'info', service: opts.service, msg: line, ...rest }));
  };
}

export function parseLogFormat(value: string | undefined): LogFormat {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new Error(`log format must be text or json, got ${JSON.stringify(value)}`);
}
