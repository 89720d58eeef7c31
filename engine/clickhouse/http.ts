/**
 * A minimal ClickHouse HTTP client for the server here (18.16): one statement per request, errors carry
 * ClickHouse's own message, inserts are JSONEachRow batches. (No query parameters on 18.16: callers escape values
 * with `quote`.)
 */
export interface ClickHouseConfig {
  url: string;
  user: string;
  password: string;
  database: string;
}

export class ClickHouseError extends Error {
  override name = 'ClickHouseError';
}

export interface ClickHouseHttp {
  readonly config: ClickHouseConfig;
  /** Runs a statement; resolves with the response body. */
  exec(sql: string, opts?: { database?: string; body?: string }): Promise<string>;
  /** Rows of a SELECT, parsed from JSONEachRow. */
  rows<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  insert(table: string, rows: object[]): Promise<void>;
}

export function createClickHouseHttp(config: ClickHouseConfig, timeoutMs = 30_000): ClickHouseHttp {
  const auth = `Basic ${Buffer.from(`${config.user}:${config.password}`).toString('base64')}`;
  const exec = async (sql: string, opts: { database?: string; body?: string } = {}) => {
    const params = new URLSearchParams({ database: opts.database ?? config.database });
    const withBody = opts.body !== undefined;
    if (withBody) params.set('query', sql);
    let res: Response;
    try {
      res = await fetch(`${config.url}/?${params}`, {
        method: 'POST',
        body: withBody ? opts.body : sql,
        headers: { Authorization: auth },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ClickHouseError(`ClickHouse at ${config.url} unreachable: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text();
    if (!res.ok) throw new ClickHouseError(`ClickHouse: ${text.trim()}`);
    return text;
  };
  return {
    config,
    exec,
    async rows<T>(sql: string) {
      const text = await exec(`${sql} FORMAT JSONEachRow`);
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as T);
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      await exec(`INSERT INTO ${table} FORMAT JSONEachRow`, { body: rows.map((r) => JSON.stringify(r)).join('\n') });
    },
  };
}

/** A string literal for SQL (ClickHouse escaping). */
export const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
