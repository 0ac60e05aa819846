import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { checkInvariants } from './invariants';
async function main() {
  const pool = new pg.Pool({ connectionString: 'postgresql://postgres:postgres@127.0.0.1:3420/connect_site_move' });
  const connection = await Connection.connect({ address: '127.0.0.1:3410' });
  const { rows } = await pool.query<{
    id: string;
    workflow_id: string;
    client_id: string;
    name: string;
    status: string;
  }>(
    `select m.id, m.workflow_id, m.client_id, c.name, m.status from client_site_move m join client c on c.id=m.client_id where m.status='COMPLETED'`,
  );
  const moves = rows.map((r) => ({
    moveId: r.id,
    workflowId: r.workflow_id,
    clientId: r.client_id,
    clientName: r.name,
    expectsAttention: false,
    moveAt: 'now',
  }));
  const v = await checkInvariants({
    pool,
    temporal: new Client({ connection }),
    moves,
    progressOf: moves,
    delivered: [],
    crashed: new Set(),
  });
  const byInv: Record<string, number> = {};
  for (const x of v) byInv[x.invariant] = (byInv[x.invariant] ?? 0) + 1;
  console.log(byInv);
  for (const x of v.filter((x) => !['email', 'settled', 'noDuplicateServices'].includes(x.invariant)))
    console.log(x.invariant, x.detail);
  await pool.end();
  await connection.close();
}
void main();
