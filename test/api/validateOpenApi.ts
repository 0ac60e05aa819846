// Validates an OpenAPI document with @apidevtools/swagger-parser in a child Node process: the
// parser's dependency json-schema-ref-parser is ESM-only, which Node loads but Jest's CommonJS
// module system cannot.
import { spawn } from 'node:child_process';

const SCRIPT = `
const SwaggerParser = require('@apidevtools/swagger-parser');
let raw = '';
process.stdin.on('data', (c) => (raw += c)).on('end', () =>
  SwaggerParser.validate(JSON.parse(raw)).then(
    () => process.stdout.write('valid'),
    (e) => { process.stderr.write(e.message); process.exit(1); },
  ),
);`;

/** Resolves with null when the document is valid, or the validator's message. */
export function openApiProblems(document: unknown): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SCRIPT], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve(code === 0 && out === 'valid' ? null : err || `exit ${code}`));
    child.stdin.end(JSON.stringify(document));
  });
}
