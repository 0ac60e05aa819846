// Where the project-installed Temporal executables are (written by scripts/bootstrap.mjs).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths';

export interface TemporalTools {
  /** The Temporal CLI: dev server and Temporal Web. */
  temporalCli: string;
  /** Wrapper that runs the Java time-skipping test server. */
  testServer: string;
}

export function readTemporalTools(root = PROJECT_ROOT): TemporalTools {
  const manifest = path.join(root, '.tools', 'tools.json');
  if (!existsSync(manifest)) {
    throw new Error(`${manifest} is missing: run \`npm run bootstrap\` (npm start and npm test do it for you).`);
  }
  return JSON.parse(readFileSync(manifest, 'utf8')) as TemporalTools;
}
