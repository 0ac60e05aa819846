// The hand-made bugs of `npm run mutate`: one `git apply`-able patch per bug in test/mutations/,
// whose header (the lines before the diff) says what the bug is and which tests must catch it:
//   Bug: <one line>
//   Tests: <test file> [<test file> ...]
//   Names: <optional jest -t pattern, to run only the tests that should catch it>
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const MUTATIONS_DIR = __dirname;

export interface Mutation {
  /** The patch's file name without `.patch`. */
  name: string;
  file: string;
  bug: string;
  tests: string[];
  names?: string;
  /** Files the patch changes, relative to the repository root. */
  patchedFiles: string[];
}

export function readMutations(dir = MUTATIONS_DIR): Mutation[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.patch'))
    .sort()
    .map((f) => parseMutation(path.join(dir, f)));
}

export function parseMutation(file: string): Mutation {
  const text = readFileSync(file, 'utf8');
  const diffAt = text.indexOf('diff --git ');
  if (diffAt < 0) throw new Error(`${file}: no diff in it`);
  const header = new Map<string, string>();
  for (const line of text.slice(0, diffAt).split('\n')) {
    const match = /^(\w+):\s*(.*)$/.exec(line);
    if (match) header.set(match[1]!.toLowerCase(), match[2]!.trim());
  }
  const bug = header.get('bug');
  const tests = header.get('tests')?.split(/\s+/).filter(Boolean) ?? [];
  if (!bug || tests.length === 0) throw new Error(`${file}: its header needs a "Bug:" line and a "Tests:" line`);
  const patchedFiles = [...text.matchAll(/^diff --git a\/(\S+) b\/\S+$/gm)].map((m) => m[1]!);
  return {
    name: path.basename(file, '.patch'),
    file,
    bug,
    tests,
    names: header.get('names'),
    patchedFiles: [...new Set(patchedFiles)],
  };
}

/** `git apply --check`: the patch still applies to the tree as it is; throws with git's words if not. */
export function checkApplies(mutation: Mutation): void {
  git(['apply', '--check', mutation.file]);
}

export function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
