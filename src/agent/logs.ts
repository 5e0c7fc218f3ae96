// Container logs: each attempt's stdout+stderr is appended to one file,
// DATA/pods/<uid>/logs/<container>/<attempt>.log (init containers: init-<name>).
// Rotation is copy-and-truncate (the process holds the file open with O_APPEND,
// so it keeps writing at the new end); one rotated file is kept.
// Timestamps: the process writes straight to the file, so the agent records
// when it saw the file grow (a LogClock checkpoint each kubelet tick) and stamps
// lines with that time: accurate to the tick (about a second).
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";

export interface LogRotation {
  maxBytes: number;
  /** Rotated files kept besides the live one. */
  maxFiles: number;
}

export const DEFAULT_ROTATION: LogRotation = { maxBytes: 10 * 1024 * 1024, maxFiles: 1 };

export function containerLogPath(dataDir: string, podUid: string, init: boolean, name: string, attempt: number): string {
  return join(dataDir, "pods", podUid, "logs", `${init ? "init-" : ""}${name}`, `${attempt}.log`);
}

/** Rotate when the live file is over the limit; returns whether it did. */
export function rotateIfNeeded(path: string, rot: LogRotation): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false;
  }
  if (size <= rot.maxBytes) return false;
  for (let i = rot.maxFiles - 1; i >= 1; i--) if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
  if (rot.maxFiles >= 1) copyFileSync(path, `${path}.1`);
  truncateSync(path, 0);
  return true;
}

/** Checkpoints of (file size, time first seen), per log file. */
export class LogClock {
  private readonly marks = new Map<string, { offset: number; time: string }[]>();

  observe(path: string, now = new Date()): void {
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return;
    }
    const list = this.marks.get(path) ?? [];
    const last = list.at(-1);
    if (last && size < last.offset) list.length = 0; // truncated by rotation
    if (!last || size > last.offset || list.length === 0) list.push({ offset: size, time: now.toISOString() });
    if (list.length > 10_000) list.splice(0, list.length - 10_000);
    this.marks.set(path, list);
  }

  /** When the byte at `offset` had been written by (the first checkpoint past it). */
  timeOf(path: string, offset: number, fallback: string): string {
    for (const m of this.marks.get(path) ?? []) if (m.offset >= offset) return m.time;
    return fallback;
  }

  forget(prefix: string): void {
    for (const k of [...this.marks.keys()]) if (k.startsWith(prefix)) this.marks.delete(k);
  }
}

function readAll(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.alloc(0);
  }
}

export interface LogReadOptions {
  tailLines?: number;
  timestamps?: boolean;
  /** Include rotated files before the live one. */
  maxFiles?: number;
  /** Only lines written at or after this time (ms since the epoch); rotated files count as older. */
  sinceMs?: number;
  /** At most this many bytes (the start of what would be sent), like kubectl's --limit-bytes. */
  limitBytes?: number;
}

/** Lines ending before `end` in `buf`, with their end offsets. */
function splitLines(buf: Buffer, base: number): { text: string; end: number }[] {
  const out: { text: string; end: number }[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 10) continue;
    out.push({ text: buf.subarray(start, i + 1).toString("utf8"), end: base + i + 1 });
    start = i + 1;
  }
  if (start < buf.length) out.push({ text: buf.subarray(start).toString("utf8"), end: base + buf.length });
  return out;
}

export function stamp(lines: { text: string; end: number }[], path: string, clock: LogClock | undefined, timestamps: boolean, fallback: string): string {
  if (!timestamps) return lines.map((l) => l.text).join("");
  return lines.map((l) => `${clock ? clock.timeOf(path, l.end, fallback) : fallback} ${l.text}`).join("");
}

/** The log as it is now: rotated files then the live one, filtered and cut as asked. Returns the text and the live file's offset read up to. */
export function readLog(path: string, opts: LogReadOptions, clock?: LogClock, fallbackTime = new Date().toISOString()): { text: string; offset: number } {
  let rotated: { text: string; end: number }[] = [];
  for (let i = opts.maxFiles ?? 1; i >= 1; i--) rotated = rotated.concat(splitLines(readAll(`${path}.${i}`), 0));
  const live = readAll(path);
  const timed = [
    ...rotated.map((l) => ({ text: l.text, time: "" })),
    ...splitLines(live, 0).map((l) => ({ text: l.text, time: clock ? clock.timeOf(path, l.end, fallbackTime) : fallbackTime })),
  ];
  let lines = opts.sinceMs === undefined ? timed : timed.filter((l) => l.time !== "" && Date.parse(l.time) >= opts.sinceMs!);
  if (opts.tailLines !== undefined && opts.tailLines >= 0) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
  let text = lines.map((l) => (opts.timestamps ? `${l.time || fallbackTime} ${l.text}` : l.text)).join("");
  if (opts.limitBytes !== undefined) text = Buffer.from(text).subarray(0, opts.limitBytes).toString("utf8");
  return { text, offset: live.length };
}

/** Bytes of the live file from `offset` on (restarting at 0 if it was truncated). */
export function readFrom(path: string, offset: number): { data: Buffer; offset: number } {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return { data: Buffer.alloc(0), offset };
  }
  try {
    const size = statSync(path).size;
    const from = size < offset ? 0 : offset;
    const len = Math.min(size - from, 1024 * 1024);
    if (len <= 0) return { data: Buffer.alloc(0), offset: from };
    const buf = Buffer.alloc(len);
    const n = readSync(fd, buf, 0, len, from);
    return { data: buf.subarray(0, n), offset: from + n };
  } finally {
    closeSync(fd);
  }
}

export interface FollowOptions extends LogReadOptions {
  /** True once the container has exited: the stream ends after the last bytes. */
  done: () => boolean;
  pollMs?: number;
  signal?: AbortSignal;
}

/** The log, then whatever the process writes next, until it exits or the reader goes away. */
export function followLog(path: string, opts: FollowOptions, clock?: LogClock): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let offset = 0;
  let pending = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const first = readLog(path, opts, clock);
      offset = first.offset;
      if (first.text) controller.enqueue(enc.encode(first.text));
      const poll = () => {
        if (opts.signal?.aborted) return controller.close();
        const finished = opts.done();
        const { data, offset: next } = readFrom(path, offset);
        const base = next - data.length;
        offset = next;
        if (data.length) {
          const text = pending + data.toString("utf8");
          const cut = finished ? text.length : text.lastIndexOf("\n") + 1;
          pending = text.slice(cut);
          const complete = text.slice(0, cut);
          if (complete) {
            const lines = splitLines(Buffer.from(complete), base);
            controller.enqueue(enc.encode(stamp(lines, path, clock, opts.timestamps ?? false, new Date().toISOString())));
          }
        }
        if (finished && data.length === 0) {
          if (pending) controller.enqueue(enc.encode(pending));
          return controller.close();
        }
        timer = setTimeout(poll, opts.pollMs ?? 200);
      };
      timer = setTimeout(poll, opts.pollMs ?? 200);
    },
    cancel() {
      clearTimeout(timer);
    },
  });
}
