// What `npm start` started, stopped in reverse order on every way out: Ctrl-C or SIGTERM, a failed
// start, and a bug anywhere in the process (an uncaught exception or unhandled rejection is logged,
// then everything is stopped in order, then the process exits 1). A last-resort exit hook kills
// recorded children that are somehow still running, so none outlives the process.
import type { StackRecorder } from './leftovers';

type Stop = () => Promise<void>;

/** Longest an orderly stop may take before the process exits anyway (children are then killed). */
export const STOP_DEADLINE_MS = 45_000;

export class RunningStack {
  private readonly stops: { name: string; stop: Stop }[] = [];
  private stopping?: Promise<void>;

  constructor(
    private readonly say: (line: string) => void,
    private readonly recorder?: StackRecorder,
  ) {}

  add(name: string, stop: Stop): void {
    this.stops.push({ name, stop });
  }

  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      for (const { name, stop } of [...this.stops].reverse()) {
        try {
          await stop();
          this.recorder?.remove(name);
          this.say(`stopped ${name}`);
        } catch (error) {
          this.say(`could not stop ${name} cleanly: ${(error as Error).message}`);
        }
      }
    })());
  }

  /**
   * Takes over the process's ways out: `signals` stop everything and exit 0; an uncaught exception or
   * unhandled rejection is logged, everything stops, and the process exits 1.
   */
  handleExits(signals: NodeJS.Signals[]): void {
    let exiting = false;
    const exitAfterStop = (code: number) => {
      if (exiting) return;
      exiting = true;
      const deadline = setTimeout(() => {
        this.say(`stopping took over ${STOP_DEADLINE_MS / 1000} s: exiting anyway`);
        process.exit(code);
      }, STOP_DEADLINE_MS);
      deadline.unref();
      void this.stop().then(() => process.exit(code));
    };
    for (const signal of signals) {
      process.removeAllListeners(signal);
      process.on(signal, () => {
        if (!exiting) this.say(`${signal}: stopping everything npm start started...`);
        exitAfterStop(0);
      });
    }
    const crash = (kind: string) => (error: unknown) => {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.say(`${kind}: ${detail}`);
      this.say(exiting ? 'already stopping' : 'stopping everything npm start started...');
      exitAfterStop(1);
    };
    process.on('uncaughtException', crash('uncaught exception'));
    process.on('unhandledRejection', crash('unhandled rejection'));
    // Whatever way the process ends, its children go with it.
    process.on('exit', () => this.recorder?.killAllNow());
  }
}
