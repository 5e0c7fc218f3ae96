// Watch streaming: newline-delimited JSON events from the store's change feed,
// filtered by label/field selectors. An object that stops matching is sent as
// DELETED, one that starts matching as ADDED (from the event's prevObject), as
// Kubernetes does. Backpressure reaches the store: the writer awaits a write the
// client's socket cannot take yet and reads nothing more from the store watch
// meanwhile, so a client that stops reading lets the store's bounded buffer
// fill, and the store cuts it off without slowing anyone.
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

type Wake = { kind: "event"; result: IteratorResult<StoreEvent> } | { kind: "error"; err: unknown } | { kind: "tick" };
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

  const ownLine = (type: WatchEventType, object: unknown) => encoder.encode(JSON.stringify({ type, object }) + "\n");
  const eventLine = (ev: WatchEvent): Uint8Array => {
    if (ev.type === "ERROR" || ev.type === "BOOKMARK") return ownLine(ev.type, ev.object);
    if (w.transform) return ownLine(ev.type, w.transform(ev.object));
    return sharedLine(ev.type, ev.object);
  };

  let sw: StoreWatch | undefined;
  let startError: ApiError | undefined;
  try {
    sw = w.store.watch(w.prefix, from);
  } catch (err) {
    startError = toApiError(err, "watch");
  }
  const it = sw?.[Symbol.asyncIterator]();
  // At most one pull from the store watch is in flight; its outcome waits in `ready`.
  // (Racing one long-pending promise against a timer per bookmark would pile up
  // reactions on it for as long as the watch stays quiet.)
  let inFlight = false;
  let ready: Wake | undefined;
  let wakeUp: (() => void) | undefined;
  let lastRevision = from;
  let finished = false;
  const deadline = w.timeoutSeconds && w.timeoutSeconds > 0 ? Date.now() + w.timeoutSeconds * 1000 : undefined;
  let nextBookmark = Date.now() + w.bookmarkIntervalMs;

  const finish = () => {
    if (finished) return;
    finished = true;
    sw?.close();
    w.signal?.removeEventListener("abort", finish);
    w.onClose?.();
    wakeUp?.();
  };
  w.signal?.addEventListener("abort", finish);

  const requestNext = () => {
    if (inFlight || ready || !it || finished) return;
    inFlight = true;
    const settle = (wake: Wake) => {
      inFlight = false;
      ready = wake;
      wakeUp?.();
    };
    it.next().then(
      (result) => settle({ kind: "event", result }),
      (err) => settle({ kind: "error", err }),
    );
  };

  const takeReady = (): Wake | undefined => {
    const wake = ready;
    ready = undefined;
    return wake;
  };

  // A timer only when something is due (a bookmark or the timeout); an event
  // arriving first just resolves the wait.
  const nextWake = async (): Promise<Wake> => {
    requestNext();
    const now = takeReady();
    if (now) return now;
    const waitUntil = Math.min(deadline ?? Infinity, w.bookmarks ? nextBookmark : Infinity);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      wakeUp = resolve;
      if (waitUntil !== Infinity) timer = setTimeout(resolve, Math.max(0, waitUntil - Date.now()));
    });
    if (timer !== undefined) clearTimeout(timer);
    wakeUp = undefined;
    return takeReady() ?? { kind: "tick" };
  };

  // One long-running writer per watch on a direct stream: bytes go straight to the
  // response sink (no per-chunk queue and pull round trip). An await on a write
  // that reports backpressure stops this watch pulling from the store, so a client
  // that stops reading fills the store's bounded buffer and is cut off there.
  const run = async (controller: ReadableStreamDirectController) => {
    const settle = async (n: number | Promise<number>, bytes: Uint8Array) => {
      if (typeof n !== "number") await n;
      else if (n === 0 && bytes.length > 0) finish(); // the client went away
    };
    const write = (bytes: Uint8Array) => settle(controller.write(bytes), bytes);
    // The delivery histogram ends where the bytes are handed to the response, not
    // after a wait for the socket to drain (that is the client's reading speed).
    const writeLive = (bytes: Uint8Array, committedAt: number | undefined) => {
      const n = controller.write(bytes);
      controller.flush();
      if (committedAt !== undefined && n !== 0) w.onDelivered?.(performance.now() - committedAt);
      return settle(n, bytes);
    };
    for (const ev of initial) await write(eventLine(ev));
    if (startError) {
      await write(ownLine("ERROR", startError.toStatus()));
      return;
    }
    // Bun sends the response headers with the first body bytes; a blank line (which
    // NDJSON readers skip) gets them out now, so clients see the watch is established.
    if (initial.length === 0) await write(blankLine);
    controller.flush();
    while (!finished) {
      const wake = await nextWake();
      if (finished) return;
      if (wake.kind === "tick") {
        if (deadline !== undefined && Date.now() >= deadline) return;
        if (w.bookmarks && Date.now() >= nextBookmark) {
          // Events the store counts as handed out may still be on their way to this
          // loop (promise reactions): read progress first, let one macrotask turn
          // drain them, and deliver any that arrived before bookmarking.
          const progress = sw!.progress();
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (finished) return;
          if (ready) continue;
          nextBookmark = Date.now() + w.bookmarkIntervalMs;
          lastRevision = Math.max(lastRevision, progress);
          await write(ownLine("BOOKMARK", { apiVersion: w.apiVersion, kind: w.kind, metadata: { resourceVersion: String(lastRevision) } }));
          controller.flush();
        }
        continue;
      }
      if (wake.kind === "error") {
        await write(ownLine("ERROR", toApiError(wake.err, "watch").toStatus()));
        return;
      }
      if (wake.result.done) return;
      const ev = wake.result.value;
      lastRevision = ev.revision;
      const out = filterEvent(ev, w.matches);
      if (!out) continue;
      await writeLive(eventLine(out), ev.committedAt);
    }
  };

  const stream = new ReadableStream({
    type: "direct",
    async pull(controller: ReadableStreamDirectController) {
      try {
        await run(controller);
      } finally {
        finish();
      }
      try {
        controller.close();
      } catch {
        // already closed by a cancel
      }
    },
    cancel() {
      finish();
    },
  });
  return new Response(stream, { status: 200, headers: { "Content-Type": "application/json", "Cache-Control": "no-cache", "Transfer-Encoding": "chunked" } });
}
