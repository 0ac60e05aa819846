// `npm start`'s program as a child process, for the tests of the dev stack: free ports for each of
// its servers, its output, and a wait for a line of it.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../src/dev/ports';

const ROOT = path.resolve(__dirname, '..', '..');

export interface Run {
  output: () => string;
  hasExited: () => boolean;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

export function runStart(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    exited,
    kill: (signal) => child.kill(signal),
  };
}

/** A free port for each server npm start runs, by its setting's name. */
export async function freePorts(): Promise<Record<string, string>> {
  const names = ['API_PORT', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'MAIL_SINK_PORT', 'PG_PORT'];
  const ports: Record<string, string> = {};
  for (const name of names) ports[name] = String(await freePort());
  return ports;
}

export async function waitFor(run: Run, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (Date.now() > deadline || run.hasExited()) throw new Error(`"${text}" did not appear; output:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
