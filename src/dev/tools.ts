// Where the project-installed tools are (written by scripts/bootstrap.mjs into .tools/tools.json).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths';

export interface ProjectTools {
  /** The Temporal CLI: dev server and Temporal Web. */
  temporalCli: string;
  /** Wrapper that runs the Java time-skipping test server (installed for `npm test` only). */
  testServer: string;
  /** Chromium for the web app's browser tests and screenshots (found or installed for `npm test` only). */
  browser: string;
  /** Prometheus's promtool, which checks deploy/prometheus (installed for `npm test` only). */
  promtool: string;
}

/** The Temporal executables among them. */
export type TemporalTools = Pick<ProjectTools, 'temporalCli' | 'testServer'>;

export function readProjectTool(tool: keyof ProjectTools, root = PROJECT_ROOT): string {
  const manifest = path.join(root, '.tools', 'tools.json');
  const tools = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as Partial<ProjectTools>) : {};
  const found = tools[tool];
  if (!found) {
    const command = tool === 'temporalCli' ? 'npm run bootstrap -- start' : 'npm run bootstrap';
    throw new Error(
      `${tool} is not installed (${manifest}): run \`${command}\` (${tool === 'temporalCli' ? 'npm start and npm test do' : 'npm test does'} it for you).`,
    );
  }
  return found;
}

export function readTemporalTool(tool: keyof TemporalTools, root = PROJECT_ROOT): string {
  return readProjectTool(tool, root);
}
