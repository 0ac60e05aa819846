// Where the project-installed tools are: the Temporal executables, promtool (written by scripts/bootstrap.mjs).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths';

export interface TemporalTools {
  /** The Temporal CLI: dev server and Temporal Web. */
  temporalCli: string;
  /** Wrapper that runs the Java time-skipping test server (installed for `npm test` only). */
  testServer: string;
  /** Prometheus's promtool, which checks deploy/prometheus (installed for `npm test` only). */
  promtool: string;
}

export function readTemporalTool(tool: keyof TemporalTools, root = PROJECT_ROOT): string {
  const manifest = path.join(root, '.tools', 'tools.json');
  const tools = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as Partial<TemporalTools>) : {};
  const found = tools[tool];
  if (!found) {
    const command = tool === 'temporalCli' ? 'npm run bootstrap -- start' : 'npm run bootstrap';
    throw new Error(
      `${tool} is not installed (${manifest}): run \`${command}\` (npm start and npm test do it for you).`,
    );
  }
  return found;
}
