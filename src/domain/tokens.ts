// Operator API tokens: random, shown once, stored only as a sha256 hash.
import { createHash, randomBytes } from 'node:crypto';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return `csm_${randomBytes(24).toString('base64url')}`;
}
