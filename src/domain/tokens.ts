// Operator API tokens: random, shown once, stored only as a sha256 hash. The demo data's two tokens
// are well known (printed by `npm start`), so the API refuses them in production whatever the
// database holds.
import { createHash, randomBytes } from 'node:crypto';

/** The tokens of the demo operators `npm start` seeds in development. */
export const DEMO_TOKENS = { superAdmin: 'dev-super-admin', admin: 'dev-admin' } as const;

/** True for a demo token: never a credential in production. */
export function isDemoToken(token: string): boolean {
  return (Object.values(DEMO_TOKENS) as string[]).includes(token);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return `csm_${randomBytes(24).toString('base64url')}`;
}
