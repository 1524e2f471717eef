// Shows a batch's live progress from its event stream: a redrawn bar (cli-progress) with percent,
// items/s and ETA when stdout is a terminal, one plain line per event otherwise (logs, pipes, CI).
import { SingleBar } from 'cli-progress';
import type { BatchMeta } from '@container-service/client';
import { formatEta, formatPercent, percentOf, progressLine, rateOf } from './batch-report';

export interface ProgressView {
  update(meta: BatchMeta): void;
  /** Leaves the bar (if any) as last drawn, on a line of its own. */
  stop(): void;
}

export function progressView(stdout: NodeJS.WriteStream): ProgressView {
  return stdout.isTTY ? new BarView(stdout) : new LineView(stdout);
}

class BarView implements ProgressView {
  private readonly bar: SingleBar;
  private started = false;

  constructor(stream: NodeJS.WriteStream) {
    this.bar = new SingleBar({
      stream,
      format: '{bar} {percent}% | {value}/{total} items | {rate} items/s | ETA {eta_text} | {status}',
      barsize: 30,
      hideCursor: true,
      // Redrawn only when the line changes: events come at most about once a second.
      forceRedraw: false,
      fps: 5,
      barCompleteChar: '█',
      barIncompleteChar: '░',
    });
  }

  update(meta: BatchMeta): void {
    const done = meta.success + meta.failed + meta.cancelled;
    const payload = { percent: formatPercent(percentOf(meta)), rate: rateOf(meta), eta_text: formatEta(meta.progress.etaMs), status: meta.status };
    if (!this.started) {
      this.started = true;
      this.bar.start(meta.total, done, payload);
      return;
    }
    this.bar.setTotal(meta.total);
    this.bar.update(done, payload);
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

class LineView implements ProgressView {
  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(meta: BatchMeta): void {
    this.stream.write(`${progressLine(meta)}\n`);
  }

  stop(): void {
    // Nothing drawn that needs ending.
  }
}
