// `npm run operator:create -- --name "Sam Smith" --email sam@t2.example --role T2_SUPER_ADMIN`
// Creates an operator and prints its API token once; only the token's hash is stored.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createDb } from '../db/client';
import { NewOperatorSchema, createOperator } from './operators';

const USAGE = 'usage: npm run operator:create -- --name <name> --email <email> --role T2_SUPER_ADMIN|T2_ADMIN';

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { name: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' } },
    strict: true,
  });
  const parsed = NewOperatorSchema.safeParse(values);
  if (!parsed.success) {
    const wrong = parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${wrong}\n${USAGE}`);
  }
  const db = createDb(loadConfig().database.url);
  try {
    const operator = await createOperator(db, parsed.data);
    process.stdout.write(
      `Created ${operator.role} ${operator.name} <${operator.email}> (${operator.id}).\n` +
        `Token (shown once, store it now): ${operator.token}\n`,
    );
  } finally {
    await db.$disconnect();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
