/**
 * Progress while stacks run, on stderr: on a terminal, a live view (each running stack, its current resource, its
 * elapsed time, and the totals) redrawn in place with log-update; elsewhere (CI, a pipe, a test), one timestamped line
 * per event. The final report always follows, on stdout or in `--output`.
 */
import logUpdate from "log-update";

export interface RunProgress {
  /** A stack starts its operation. */
  started(slug: string, operation: string): void;
  /** The engine works on one of its resources. */
  step(slug: string, op: string, type: string, name: string): void;
  /** A stack is done, with its outcome. */
  ended(slug: string, outcome: string): void;
  /** A notice (a stale lock cleared, a lock waited for): always shown as a line. */
  note(text: string): void;
  close(): void;
}

/** Operations worth a line: the ones that change something. */
const CHANGING = new Set(["create", "update", "replace", "delete", "create-replacement", "delete-replaced"]);

/** One line per event, each with its time: what CI logs show and what tests read. */
export function lineProgress(write: (text: string) => void, now: () => Date = () => new Date()): RunProgress {
  const line = (text: string) => write(`${now().toISOString()} ${text}\n`);
  return {
    started: (slug, operation) => line(`${slug}: ${operation}…`),
    step: (slug, op, type, name) => {
      if (CHANGING.has(op)) line(`${slug}: ${op} ${type} ${name}`);
    },
    ended: (slug, outcome) => line(`${slug}: ${outcome}`),
    note: (text) => line(text),
    close: () => undefined,
  };
}

interface Running {
  readonly operation: string;
  readonly since: number;
  current?: string;
}

/** The live view for a terminal: redrawn on each event and every half second; gone when the run ends. */
export function liveProgress(stream: NodeJS.WriteStream, total: number, now: () => number = Date.now): RunProgress {
  const update = logUpdate.create(stream, { showCursor: true });
  const started = now();
  const running = new Map<string, Running>();
  let done = 0;
  const seconds = (since: number) => `${((now() - since) / 1000).toFixed(1)} s`;
  const render = () => {
    const width = Math.max(6, ...[...running.keys()].map((slug) => slug.length));
    const lines = [...running].map(
      ([slug, run]) =>
        `  ${slug.padEnd(width)}  ${run.operation.padEnd(7)} ${seconds(run.since).padStart(7)}  ${run.current ?? ""}`,
    );
    lines.push(
      `${done} of ${total} done, ${running.size} running, ${total - done - running.size} waiting · ${seconds(started)}`,
    );
    update(lines.join("\n"));
  };
  const timer = setInterval(render, 500);
  timer.unref();
  return {
    started: (slug, operation) => {
      running.set(slug, { operation, since: now() });
      render();
    },
    step: (slug, op, type, name) => {
      const run = running.get(slug);
      if (run) run.current = `${op} ${type.split(":").pop()} ${name}`;
      render();
    },
    ended: (slug) => {
      running.delete(slug);
      done++;
      render();
    },
    note: (text) => {
      update.clear();
      stream.write(`${text}\n`);
      render();
    },
    close: () => {
      clearInterval(timer);
      update.clear();
      update.done();
    },
  };
}
