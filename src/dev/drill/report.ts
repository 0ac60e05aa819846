// The drill's report: one table (fault, moves, final phases, violations, time to recover) for the
// terminal, and the same table with the run's date, machine and observations written into
// docs/reliability.md between its markers, the rest of that page (hand-written) left as it is.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { format, resolveConfig } from 'prettier';
import type { Violation } from './invariants';
import type { ApiObservation } from './observer';

export interface FaultRow {
  fault: string;
  moves: number;
  /** Phase → moves of the batch that ended in it. */
  finalPhases: Record<string, number>;
  violations: Violation[];
  /** From the end of the fault until every move of the batch had settled; null: not in the time allowed. */
  recoverySeconds: number | null;
  /** The longest any move of the batch took from its start to its final phase. */
  longestMoveSeconds: number | null;
  notes: string[];
  api: ApiObservation;
  /** Signs in the logs during this fault (see observer.ts). */
  logs: Record<string, number>;
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGb: number;
  node: string;
  platform: string;
}

export interface DrillReport {
  mode: 'full' | 'short';
  command: string;
  seed: number;
  startedAt: string;
  seconds: number;
  machine: Machine;
  settings: Record<string, string>;
  rows: FaultRow[];
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

export function violationCount(report: DrillReport): number {
  return report.rows.reduce((n, row) => n + row.violations.length + (row.recoverySeconds === null ? 1 : 0), 0);
}

const phases = (row: FaultRow) =>
  Object.entries(row.finalPhases)
    .map(([phase, n]) => `${n} ${phase}`)
    .join(', ');

const recovery = (row: FaultRow) =>
  row.recoverySeconds === null ? 'did not settle' : `${row.recoverySeconds.toFixed(0)} s`;

/** The table, as Markdown (it reads as well in a terminal). */
export function table(rows: FaultRow[]): string {
  const header = ['Fault', 'Moves', 'Final phases', 'Violations', 'Time to recover'];
  const body = rows.map((row) => [
    row.fault,
    String(row.moves),
    phases(row),
    String(row.violations.length),
    recovery(row),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export function violationsText(rows: FaultRow[]): string {
  const lines = rows.flatMap((row) => [
    ...(row.recoverySeconds === null ? [`- ${row.fault}: the batch did not settle in the time allowed`] : []),
    ...row.violations.map((v) => `- ${row.fault}: [${v.invariant}] ${v.detail}`),
  ]);
  return lines.length === 0 ? 'No invariant was broken.' : lines.join('\n');
}

const BEGIN = '<!-- drill-run:begin (written by npm run drill) -->';
const END = '<!-- drill-run:end -->';

/** The generated part of docs/reliability.md. */
export function runSection(report: DrillReport): string {
  const { machine } = report;
  const minutes = (report.seconds / 60).toFixed(1);
  const observed = report.rows.map((row) => {
    const api = Object.entries(row.api.answers)
      .map(([status, n]) => `${status} x${n}`)
      .join(', ');
    const logs = Object.entries(row.logs)
      .map(([sign, n]) => `${sign} x${n}`)
      .join(', ');
    return [
      `- **${row.fault}**: ${row.notes.join('; ') || 'no fault injected'}.`,
      `  Longest move ${row.longestMoveSeconds === null ? 'n/a' : `${row.longestMoveSeconds.toFixed(0)} s`}.`,
      `  API (GET a move, every 2 s): ${api || 'not sampled'}; ${row.api.fromDatabase} answered from the database, ` +
        `${row.api.showingOutage} showed a step waiting out an outage, slowest ${row.api.slowestMs} ms.`,
      `  Logs: ${logs || 'nothing of note'}.`,
    ].join('\n');
  });
  return [
    BEGIN,
    '',
    `Last run: ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC, \`${report.command}\`, ` +
      `${minutes} minutes, seed ${report.seed}, on ${machine.cores} cores (${machine.cpu}), ` +
      `${machine.memoryGb} GB, Node.js ${machine.node}, ${machine.platform}.`,
    `Settings: ${Object.entries(report.settings)
      .map(([k, v]) => `\`${k}=${v}\``)
      .join(', ')}.`,
    '',
    table(report.rows),
    '',
    violationsText(report.rows),
    '',
    'What the drill saw during each fault:',
    '',
    ...observed,
    '',
    END,
  ].join('\n');
}

/** Replaces the generated section of the page (or appends it), then formats the page as the repository does. */
export async function writeRunSection(file: string, report: DrillReport): Promise<void> {
  const page = existsSync(file) ? await readFile(file, 'utf8') : '# Reliability\n';
  const section = runSection(report);
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  const next =
    begin >= 0 && end > begin
      ? `${page.slice(0, begin)}${section}${page.slice(end + END.length)}`
      : `${page.trimEnd()}\n\n${section}\n`;
  const options = (await resolveConfig(file)) ?? {};
  await writeFile(file, await format(next, { ...options, filepath: file }));
}
