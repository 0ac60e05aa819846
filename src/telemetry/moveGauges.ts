// What the database says about moves, read at scrape time: moves by phase, FAILED moves nobody has
// put right yet, how long the oldest move has waited in NEEDS_ATTENTION, how late the most overdue
// SCHEDULED move is, and the email outbox by status. Both the API's and the worker's /metrics carry them (alerts take the max across both).
import { Gauge, type Registry } from 'prom-client';
import { Prisma, type Db } from '../db/client';
import { ACTIVE_PHASES, MOVE_PHASES } from '../domain/move';

const EMAIL_STATUSES = ['PENDING', 'SENDING', 'SENT', 'FAILED', 'UNCERTAIN'] as const;

/** Gauges whose `collect` asks the database; on a failed query they go blank rather than stale. */
export function registerMoveGauges(registry: Registry, db: Db, onScrapeError: (error: unknown) => void): void {
  const guarded = async (gauge: Gauge, read: () => Promise<void>) => {
    try {
      await read();
    } catch (error) {
      gauge.reset();
      onScrapeError(error);
    }
  };

  new Gauge({
    name: 'csm_moves',
    help: 'Client site moves by phase, from the database',
    labelNames: ['phase'] as const,
    registers: [registry],
    async collect() {
      await guarded(this, async () => {
        const rows = await db.clientSiteMove.groupBy({ by: ['status'], _count: { _all: true } });
        const counts = new Map(rows.map((r) => [r.status, r._count._all]));
        for (const phase of MOVE_PHASES) this.set({ phase }, counts.get(phase) ?? 0);
      });
    },
  });

  new Gauge({
    name: 'csm_moves_failed_unresolved',
    help: 'FAILED moves not yet put right: their client is still ACTIVE_MOVE_SCHEDULED (runbook: A FAILED move)',
    registers: [registry],
    async collect() {
      await guarded(this, async () => {
        // A person sets the client ACTIVE once the items are right; until then no new move can start.
        const [row] = await db.$queryRaw<{ count: number }[]>`
          SELECT count(*)::int AS count FROM client_site_move m JOIN client c ON c.id = m.client_id
          WHERE m.status = 'FAILED' AND c.status = 'ACTIVE_MOVE_SCHEDULED'
            AND NOT EXISTS (
              SELECT 1 FROM client_site_move other
              WHERE other.client_id = m.client_id
                AND other.status::text IN (${Prisma.join(ACTIVE_PHASES)}))`;
        this.set(row?.count ?? 0);
      });
    },
  });

  new Gauge({
    name: 'csm_move_needs_attention_oldest_seconds',
    help: 'Seconds the longest-waiting move has been in NEEDS_ATTENTION (since its row last changed); 0 when none',
    registers: [registry],
    async collect() {
      await guarded(this, async () => {
        const [row] = await db.$queryRaw<{ age: number | null }[]>`
          SELECT EXTRACT(EPOCH FROM now() - min(updated_at))::float8 AS age
          FROM client_site_move WHERE status = 'NEEDS_ATTENTION'`;
        this.set(Math.max(0, row?.age ?? 0));
      });
    },
  });

  new Gauge({
    name: 'csm_move_scheduled_overdue_seconds',
    help: 'Seconds past its scheduled time of the most overdue move still SCHEDULED; 0 when none',
    registers: [registry],
    async collect() {
      await guarded(this, async () => {
        const [row] = await db.$queryRaw<{ overdue: number | null }[]>`
          SELECT EXTRACT(EPOCH FROM now() - min(scheduled_for))::float8 AS overdue
          FROM client_site_move WHERE status = 'SCHEDULED' AND scheduled_for < now()`;
        this.set(Math.max(0, row?.overdue ?? 0));
      });
    },
  });

  new Gauge({
    name: 'csm_email_outbox',
    help: 'Outcome emails by outbox status, from the database (UNCERTAIN: a person must check)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      await guarded(this, async () => {
        const rows = await db.emailOutbox.groupBy({ by: ['status'], _count: { _all: true } });
        const counts = new Map(rows.map((r) => [r.status, r._count._all]));
        for (const status of EMAIL_STATUSES) this.set({ status }, counts.get(status) ?? 0);
      });
    },
  });
}
