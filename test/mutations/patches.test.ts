// The hand-made bugs of `npm run mutate` never rot: each patch still applies to the tree as it is, says
// what the bug is, and names test files that exist. Cheap (`git apply --check`); the mutation run
// itself is not part of `npm test`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, checkApplies, readMutations } from './patches';

const mutations = readMutations();

it('has the bugs of issue 14 and the core bugs the suite catches', () => {
  expect(mutations.length).toBeGreaterThanOrEqual(23);
});

it.each(mutations.map((m) => [m.name, m] as const))('%s applies cleanly and names its tests', (_, mutation) => {
  expect(() => checkApplies(mutation)).not.toThrow();
  expect(mutation.patchedFiles.length).toBeGreaterThan(0);
  for (const test of mutation.tests)
    expect({ test, exists: existsSync(path.join(ROOT, test)) }).toEqual({ test, exists: true });
});
