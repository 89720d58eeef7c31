/**
 * The contract between the system benchmark's runner (bench/system/run.ts) and its scenarios (issue 17). Each
 * scenario is one module exporting a `Scenario`; the runner runs them one after another (never two at once: they
 * share two cores), gives each a deadline, and writes every result into one report.
 */
export interface ScenarioContext {
  /** `--quick`: the whole run under 3 minutes; otherwise under 20. Scenarios scale their sizes and windows with it. */
  quick: boolean;
  /** Progress lines for the operator (the runner prefixes them with the scenario id). */
  log(line: string): void;
  /** Wall-clock ms (Date.now()) by which the scenario must have returned; it cuts its own steps short to meet it. */
  deadline: number;
}

/** One of the targets, as measured. */
export interface TargetResult {
  /** What the issue asks, in words: "passing-to-screen p99 < 250 ms with 10k spectators across 20 sessions". */
  target: string;
  /** The measurement, with its unit: "p99 182 ms (10,000 spectators, 20 sessions)". */
  measured: string;
  /**
   * met / not met: measured under the target's conditions. indicative: measured under smaller or noisier conditions
   * than the target names (the note says which). not measured: the step did not run (the reason is in `measured`).
   */
  status: 'met' | 'not met' | 'indicative' | 'not measured';
}

export interface ScenarioResult {
  /** Markdown: tables and sentences with every number measured, in the scenario's own words. */
  body: string[];
  targets: TargetResult[];
  /** Bottlenecks and surprises found by this run, each with its measurement (the closing note reads these). */
  findings: string[];
  /** Raw numbers, kept in the JSON next to the report. */
  data: Record<string, unknown>;
}

export interface Scenario {
  /** Short id for `--only=`: 'passing-to-screen', 'late-join', … */
  id: string;
  /** The number and name: "1. Passing to screen, many sessions". */
  title: string;
  /** How it is measured (processes, sizes, windows, what the peer is), one markdown bullet per item. */
  method(quick: boolean): string[];
  /** About how long it runs; the runner shares the time left in proportion (default 20 s quick, 150 s full). */
  expectedSeconds?(quick: boolean): number;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}
