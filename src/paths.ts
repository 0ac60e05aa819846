// The project's root folder, found from any module, whether run from src/ (tsx) or dist/ (built).
import { existsSync } from 'node:fs';
import path from 'node:path';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'prisma', 'schema.prisma')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No project root (prisma/schema.prisma) above ${start}`);
  }
}

export const PROJECT_ROOT = findRoot(__dirname);
