import fs from 'node:fs';
import path from 'node:path';
import { newPassword } from '../servers/nats-users.ts';

/**
 * The read-only ClickHouse user for analysts (docs/analytics.md) and for the gateway's lap queries. ClickHouse
 * 18.16 defines users in users.xml: `analyst` uses a profile with `<readonly>1</readonly>`, so it can SELECT but not
 * insert, alter, drop or change settings. Its password is generated once into `secrets/clickhouse-analyst.json`.
 */
export const ANALYST_USER = 'analyst';

export interface AnalystCredentials {
  user: typeof ANALYST_USER;
  password: string;
}

export function loadOrCreateAnalystPassword(secretsDir: string): AnalystCredentials {
  const file = path.join(secretsDir, 'clickhouse-analyst.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as AnalystCredentials;
  const credentials: AnalystCredentials = { user: ANALYST_USER, password: newPassword() };
  fs.mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The `<profiles>` entry of the read-only profile. */
export const readOnlyProfileXml = () => '<readonly><readonly>1</readonly><max_memory_usage>2000000000</max_memory_usage></readonly>';

/** The `<users>` entry of the analyst: loopback only, the read-only profile. */
export function analystUserXml(password: string): string {
  return `<${ANALYST_USER}>
      <password>${xml(password)}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>readonly</profile>
      <quota>default</quota>
    </${ANALYST_USER}>`;
}
