// Watch streaming: newline-delimited JSON events from the store's change feed,
// filtered by label/field selectors. An object that stops matching is sent as
// DELETED, one that starts matching as ADDED (from the event's prevObject), as
// Kubernetes does. Backpressure reaches the store: a write the client's socket
// cannot take yet pauses the store watch until it drained, so a client that
// stops reading lets the store's bounded buffer fill, and the store cuts it
// off without slowing anyone.
import { ApiError } from "../api/errors.ts";
import type { KubeObject, WatchEvent, WatchEventType } from "../api/types.ts";
import type { Store, StoreEvent, StoreWatch } from "../store/store.ts";
import { toApiError } from "./status.ts";

export interface WatchRequest {
  store: Store;
  prefix: string;
  /** Does an object belong in this watch (selectors, namespace, name)? */
  matches: (obj: KubeObject) => boolean;
  /** Absent or "0": start with ADDED events for the current state, then live. */
  resourceVersion?: string;
  timeoutSeconds?: number;
  bookmarks: boolean;
  bookmarkIntervalMs: number;
  /** BOOKMARK objects carry only apiVersion, kind and metadata.resourceVersion. */
  apiVersion: string;
  kind: string;
  /** Change each event's object on the way out (Table output). */
  transform?: (obj: KubeObject) => unknown;
  signal?: AbortSignal;
  onClose?: () => void;
  /** A live event's bytes were handed to the response: ms since its commit (performance.now() clock). */
  onDelivered?: (sinceCommitMs: number) => void;
}

/** The event a watcher with this selector should see for a store event, if any. */
export function filterEvent(ev: StoreEvent, matches: (obj: KubeObject) => boolean): WatchEvent | undefined {
  if (ev.type === "ADDED") return matches(ev.object) ? { type: "ADDED", object: ev.object } : undefined;
  if (ev.type === "DELETED") return matches(ev.prevObject ?? ev.object) ? { type: "DELETED", object: ev.object } : undefined;
  const now = matches(ev.object);
  const before = ev.prevObject ? matches(ev.prevObject) : now;
  if (now && before) return { type: "MODIFIED", object: ev.object };
  if (now) return { type: "ADDED", object: ev.object };
  if (before) return { type: "DELETED", object: ev.object };
  return undefined;
}

export function parseResourceVersion(rv: string | undefined | null): number | undefined {
  if (rv === undefined || rv === null || rv === "" || rv === "0") return undefined;
  if (!/^\d+$/.test(rv)) throw ApiError.badRequest(`invalid resourceVersion ${JSON.stringify(rv)}: must be a non-negative integer`);
  return Number(rv);
}

const encoder = new TextEncoder();

type LineType = "ADDED" | "MODIFIED" | "DELETED";

// The store hands every watcher the same event object, so the bytes of an event's
// line are made once and shared by all watchers that pass it (per event type: a
// selector transition turns one store event into ADDED or DELETED for some
// watchers). With a thousand watchers, encoding per watcher was most of the cost.
const sharedLines = new WeakMap<KubeObject, Partial<Record<LineType, Uint8Array>>>();

function sharedLine(type: LineType, object: KubeObject): Uint8Array {
  let lines = sharedLines.get(object);
  if (!lines) sharedLines.set(object, (lines = {}));
  return (lines[type] ??= encoder.encode(`{"type":"${type}","object":${JSON.stringify(object)}}\n`));
}

const blankLine = encoder.encode("\n");

export async function watchResponse(w: WatchRequest): Promise<Response> {
  const since = parseResourceVersion(w.resourceVersion);
  const initial: WatchEvent[] = [];
  let from: number;
  if (since === undefined) {
    const list = await w.store.list(w.prefix, { filter: w.matches });
    for (const obj of list.items) initial.push({ type: "ADDED", object: obj });
    from = list.revision;
  } else {
    from = since;
  }

  let sw: StoreWatch | ApiError;
  try {
    sw = w.store.watch(w.prefix, from);
  } catch (err) {
    sw = toApiError(err, "watch");
  }

  const session = new WatchSession(w, from, sw);
  const stream = new ReadableStream({
    type: "direct",
    async pull(controller: ReadableStreamDirectController) {
      try {
        await session.run(controller, initial);
      } finally {
        session.finish();
      }
      try {
        controller.close();
      } catch {
        // already closed by a cancel
      }
    },
    cancel() {
      session.finish();
    },
  });
  return new Response(stream, { status: 200, headers: { "Content-Type": "application/json", "Cache-Control": "no-cache", "Transfer-Encoding": "chunked" } });
}

const ownLine = (type: WatchEventType, object: unknown) => encoder.encode(JSON.stringify({ type, object }) + "\n");

/**
 * One watch response on a direct stream: bytes go straight to the response sink.
 * Live events arrive through the store watch's listener, in the commit's turn,
 * and are written there; a write that reports backpressure pauses the store
 * watch until the socket drained, so a client that stops reading fills the
 * store's bounded buffer and is cut off there.
 */
class WatchSession {
  private out?: ReadableStreamDirectController;
  private finished = false;
  private done?: () => void;
  private timer?: ReturnType<typeof setTimeout>;
  private paused = false;
  private lastRevision: number;
  private readonly deadline?: number;
  private nextBookmark: number;

  private readonly sw?: StoreWatch;
  /** Why the store would not start this watch (a compacted resourceVersion): sent as an ERROR event. */
  private readonly startError?: ApiError;

  constructor(
    private readonly w: WatchRequest,
    from: number,
    sw: StoreWatch | ApiError,
  ) {
    if (sw instanceof ApiError) this.startError = sw;
    else this.sw = sw;
    this.lastRevision = from;
    this.deadline = w.timeoutSeconds && w.timeoutSeconds > 0 ? Date.now() + w.timeoutSeconds * 1000 : undefined;
    this.nextBookmark = Date.now() + w.bookmarkIntervalMs;
    w.signal?.addEventListener("abort", this.finish);
  }

  /** Resolves when the watch is over: the client left, the store ended it, or the timeout passed. */
  async run(out: ReadableStreamDirectController, initial: WatchEvent[]): Promise<void> {
    this.out = out;
    for (const ev of initial) await this.write(this.line(ev));
    const sw = this.sw;
    if (!sw) {
      await this.write(ownLine("ERROR", this.startError!.toStatus()));
      return;
    }
    // Bun sends the response headers with the first body bytes; a blank line (which
    // NDJSON readers skip) gets them out now, so clients see the watch is established.
    if (initial.length === 0) await this.write(blankLine);
    out.flush();
    if (this.finished) return;
    const over = new Promise<void>((resolve) => (this.done = resolve));
    this.schedule();
    sw.listen({ event: (ev) => this.event(ev), end: (err) => this.end(err) });
    await over;
  }

  readonly finish = (): void => {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.sw?.close();
    this.w.signal?.removeEventListener("abort", this.finish);
    this.w.onClose?.();
    this.done?.();
  };

  /** The store watch's listener: false pauses it (the client is not reading fast enough). */
  private event(ev: StoreEvent): boolean {
    this.lastRevision = ev.revision;
    const out = filterEvent(ev, this.w.matches);
    if (!out) return true;
    const accepted = this.send(this.line(out));
    // The delivery histogram ends where the bytes are handed to the response, not
    // after a wait for the socket to drain (that is the client's reading speed).
    if (accepted && ev.committedAt !== undefined) this.w.onDelivered?.(performance.now() - ev.committedAt);
    return accepted && !this.paused;
  }

  private end(err?: ApiError): void {
    if (this.finished) return;
    if (err) this.send(ownLine("ERROR", err.toStatus()));
    this.finish();
  }

  /** Writes now; false when the client is gone. Backpressure pauses the store watch until the socket drained. */
  private send(bytes: Uint8Array): boolean {
    let n: number | Promise<number>;
    try {
      n = this.out!.write(bytes);
      if (typeof n === "number") this.out!.flush();
    } catch {
      // A response that can no longer be written to is as good as a client gone;
      // this runs inside the committing writer, so nothing may be thrown from here.
      this.finish();
      return false;
    }
    if (typeof n !== "number") {
      this.paused = true;
      n.then(() => this.drained(), this.finish);
      return true;
    }
    if (n === 0 && bytes.length > 0) {
      this.finish();
      return false;
    }
    return true;
  }

  private drained(): void {
    this.paused = false;
    if (!this.finished) this.sw?.resume();
  }

  /** A write outside the listener (initial state, errors before the watch): waits out backpressure. */
  private async write(bytes: Uint8Array): Promise<void> {
    const n = this.out!.write(bytes);
    if (typeof n !== "number") await n;
    else if (n === 0 && bytes.length > 0) this.finish();
  }

  private line(ev: WatchEvent): Uint8Array {
    if (ev.type === "ERROR" || ev.type === "BOOKMARK") return ownLine(ev.type, ev.object);
    if (this.w.transform) return ownLine(ev.type, this.w.transform(ev.object));
    return sharedLine(ev.type, ev.object);
  }

  /** One timer per watch, only when something is due: the timeout or the next bookmark. */
  private schedule(): void {
    const at = Math.min(this.deadline ?? Infinity, this.w.bookmarks ? this.nextBookmark : Infinity);
    if (at === Infinity) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, at - Date.now()));
  }

  private tick(): void {
    if (this.finished) return;
    if (this.deadline !== undefined && Date.now() >= this.deadline) {
      this.finish();
      return;
    }
    if (this.w.bookmarks && Date.now() >= this.nextBookmark) {
      this.nextBookmark = Date.now() + this.w.bookmarkIntervalMs;
      // A client that is not reading gets no bookmark: it would only add to what it has not read.
      if (!this.paused) this.bookmark();
    }
    this.schedule();
  }

  private bookmark(): void {
    // Every event up to progress() has been written (or filtered out) already: delivery is synchronous.
    this.lastRevision = Math.max(this.lastRevision, this.sw!.progress());
    const object = { apiVersion: this.w.apiVersion, kind: this.w.kind, metadata: { resourceVersion: String(this.lastRevision) } };
    this.send(ownLine("BOOKMARK", object));
  }
}
