// A short circuit-breaker in front of Temporal for reads. While Temporal is down every progress query
// would wait its full deadline before falling back to the database; once a call has failed as
// unreachable and a quick probe confirms it, reads go straight to the database, and a background probe
// asks Temporal again every few seconds until it answers. A failed call alone proves little (a query
// to a workflow no worker polls also times out), so only the probe decides.
import type { Client } from '@temporalio/client';
import { isTemporalUnavailable, withTemporalDeadline } from './temporal';

export interface TemporalHealthOptions {
  /** Deadline of one probe. */
  probeMs: number;
  /** Pause between probes while Temporal is down. */
  probeIntervalMs: number;
  /** Told when the state changes (for the logs). */
  onChange?: (down: boolean, error?: unknown) => void;
}

export const DEFAULT_TEMPORAL_HEALTH: Omit<TemporalHealthOptions, 'onChange'> = {
  probeMs: 1_000,
  probeIntervalMs: 2_000,
};

export class TemporalHealth {
  private down = false;
  private probing = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The probe call in flight: awaited on close, since a call still retrying throws once the connection is closed. */
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly temporal: Client,
    private readonly options: TemporalHealthOptions = DEFAULT_TEMPORAL_HEALTH,
  ) {}

  /** True while Temporal is known to be down: callers answer from the database without asking it. */
  isDown(): boolean {
    return this.down;
  }

  /** A call to Temporal came back; reads may ask it again. */
  succeeded(): void {
    this.setDown(false);
  }

  /** A call failed: if it looks like Temporal is unreachable, probe (once at a time) to find out. */
  failed(error: unknown): void {
    if (!isTemporalUnavailable(error) || this.probing || this.closed) return;
    this.probing = true;
    this.probe();
  }

  /** Stops probing, once the probe in flight has finished; call it before closing the connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private probe(): void {
    this.inFlight = withTemporalDeadline(this.temporal, this.options.probeMs, () =>
      this.temporal.connection.workflowService.getSystemInfo({}),
    ).then(
      () => {
        this.probing = false;
        this.setDown(false);
      },
      (error: unknown) => {
        this.setDown(true, error);
        if (this.closed) return;
        this.timer = setTimeout(() => this.probe(), this.options.probeIntervalMs);
        // Never what keeps the process alive.
        this.timer.unref();
      },
    );
  }

  private setDown(down: boolean, error?: unknown): void {
    if (this.down === down) return;
    this.down = down;
    this.options.onChange?.(down, error);
  }
}
