// The fleet run's progress on a terminal: captures done, captures/s and ETA; nothing when stderr is piped.
import cliProgress from 'cli-progress';
import type { CliIO } from './io.ts';

export interface FleetProgress {
  tick(): void;
  stop(): void;
}

export function fleetProgress(io: CliIO, total: number): FleetProgress {
  if (!io.stderr.isTTY || total === 0) return { tick: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: io.stderr, format: 'fleet [{bar}] {value}/{total} captures | {rate} captures/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  const t0 = performance.now();
  let done = 0;
  bar.start(total, 0, { rate: '0.0' });
  return {
    tick() {
      done++;
      bar.update(done, { rate: (done / ((performance.now() - t0) / 1000)).toFixed(1) });
    },
    stop: () => bar.stop(),
  };
}
