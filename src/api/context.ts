// What every route module receives: the app's dependencies and configuration, resolved once.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { ProgressCache } from '../moveService/progressCache';
import type { TemporalTimeouts } from '../moveService/temporal';
import type { TemporalHealth } from '../moveService/temporalHealth';
import type { LinkContext } from './views';

export interface AppConfig {
  /** production: no demo sign-in, whatever the caller passes. */
  env: Config['env'];
  api: Config['api'];
  temporal: Pick<Config['temporal'], 'namespace' | 'taskQueue' | 'webUrl'>;
  move: Config['move'];
  /** How long a request waits on Temporal; defaults in src/moves/temporal.ts. */
  temporalTimeouts?: Partial<TemporalTimeouts>;
}

export interface RouteDeps {
  db: Db;
  temporal: Client;
  config: AppConfig;
  timeouts: TemporalTimeouts;
  /** Whether Temporal is known to be down (reads then skip it). */
  temporalHealth: TemporalHealth;
  /** Temporal's progress answers, shared between reads of one run (PROGRESS_MAX_AGE_MS). */
  progressCache: ProgressCache;
  logger: Logger;
  links: LinkContext;
}
