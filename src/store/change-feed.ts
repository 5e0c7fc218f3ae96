// The live half of watch: the committing writer hands each committed change to
// the feed, which passes it to every watcher whose prefix matches. A watcher
// replays its backlog from the change log first (paged, on demand); after that
// a live event goes straight to its listener, in the commit's turn. A paused
// listener (its client's socket is full) has events queued instead, and a
// queue past its bound cuts the watcher off: it never slows the writer or
// other watchers.
import { ApiError } from "../api/errors.ts";
import { logger } from "../util/log.ts";
import type { StoreEvent, StoreWatch, WatchListener } from "./store.ts";

const log = logger("store");

/** One committed change as the log holds it; parsed into a StoreEvent only when someone wants it. */
export interface ChangeRecord {
  revision: number;
  key: string;
  type: StoreEvent["type"];
  /** JSON of the new object (ADDED/MODIFIED). */
  value: string | null;
  /** JSON of the object before the change (MODIFIED/DELETED). */
  prev: string | null;
}

export function toEvent(rec: ChangeRecord): StoreEvent {
  if (rec.type === "ADDED") return { type: "ADDED", key: rec.key, revision: rec.revision, object: JSON.parse(rec.value!) };
  if (rec.type === "MODIFIED") {
    return { type: "MODIFIED", key: rec.key, revision: rec.revision, object: JSON.parse(rec.value!), prevObject: JSON.parse(rec.prev!) };
  }
  const object = JSON.parse(rec.prev!);
  object.metadata = { ...object.metadata, resourceVersion: String(rec.revision) };
  return { type: "DELETED", key: rec.key, revision: rec.revision, object, prevObject: JSON.parse(rec.prev!) };
}

/** Reads log events under `prefix` with after < revision ≤ upTo, oldest first, at most `limit`; throws Gone when compacted. */
export type BacklogReader = (prefix: string, after: number, upTo: number, limit: number) => StoreEvent[];

const backlogPage = 500;

export class ChangeFeed {
  private readonly watchers = new Set<Watcher>();

  revision(): number {
    return this.currentRevision();
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Called by the writer right after a commit, in revision order. Event objects are shared by all watchers: read-only. */
  publish(records: ChangeRecord[]): void {
    if (this.watchers.size === 0) return;
    // One clock reading per committed batch: the start of commit → delivery latency.
    const committedAt = performance.now();
    for (const rec of records) {
      let event: StoreEvent | undefined;
      for (const w of this.watchers) {
        if (!rec.key.startsWith(w.prefix)) continue;
        if (!event) {
          event = toEvent(rec);
          event.committedAt = committedAt;
        }
        w.push(event);
      }
    }
  }

  /** `currentRevision` tells bookmarks how far a watcher with nothing pending is up to date. */
  constructor(private readonly currentRevision: () => number) {}

  open(prefix: string, since: number, maxBuffered: number, readBacklog: BacklogReader): Watcher {
    const w = new Watcher(this, prefix, since, this.currentRevision(), maxBuffered, readBacklog);
    this.watchers.add(w);
    return w;
  }

  remove(w: Watcher): void {
    this.watchers.delete(w);
  }

  /** Ends every watch (store closing): each listener gets end() without an error. */
  closeAll(): void {
    for (const w of [...this.watchers]) w.close();
  }
}

export class Watcher implements StoreWatch {
  /** Live events waiting for the listener (paused, not listening yet, or backlog still replaying). */
  private queue: StoreEvent[] = [];
  private head = 0;
  private backlog: StoreEvent[] = [];
  private backlogIndex = 0;
  private listener?: WatchListener;
  private paused = true;
  /** Inside the listener: a resume from there must not start a second delivery loop. */
  private delivering = false;
  private ended = false;
  private failure?: ApiError;
  /** Backlog replay position; live events start after `backlogEnd`. */
  private cursor: number;
  private lastDelivered: number;

  constructor(
    private readonly feed: ChangeFeed,
    readonly prefix: string,
    since: number,
    private readonly backlogEnd: number,
    private readonly maxBuffered: number,
    private readonly readBacklog: BacklogReader,
  ) {
    this.cursor = since;
    this.lastDelivered = since;
  }

  /** A live event from the feed: straight to the listener when nothing is ahead of it. */
  push(event: StoreEvent): void {
    if (this.ended) return;
    if (!this.paused && !this.delivering && this.head >= this.queue.length) {
      this.deliver(event);
      return;
    }
    if (this.queue.length - this.head >= this.maxBuffered) {
      this.end(ApiError.unavailable(`watcher fell behind: more than ${this.maxBuffered} events buffered`));
      return;
    }
    this.queue.push(event);
  }

  listen(listener: WatchListener): void {
    if (this.listener) throw new Error("a store watch takes one listener");
    this.listener = listener;
    if (this.ended) {
      this.notifyEnd();
      return;
    }
    this.resume();
  }

  resume(): void {
    if (this.ended || !this.listener) return;
    this.paused = false;
    if (this.delivering) return;
    while (!this.paused && !this.ended) {
      const event = this.nextPending();
      if (!event) return;
      this.deliver(event);
    }
  }

  /** Every event under the prefix up to this revision has been handed out (for BOOKMARKs). */
  progress(): number {
    const idle = !this.ended && this.cursor >= this.backlogEnd && this.backlogIndex >= this.backlog.length && this.head >= this.queue.length;
    return idle ? Math.max(this.lastDelivered, this.feed.revision()) : this.lastDelivered;
  }

  close(): void {
    this.end();
  }

  private deliver(event: StoreEvent): void {
    if (event.revision <= this.lastDelivered) return; // a watch from a future revision skips up to it
    this.lastDelivered = event.revision;
    this.delivering = true;
    let more = false;
    try {
      more = this.listener!.event(event);
    } catch (err) {
      // A listener runs inside the committing writer: its failure ends its own watch, nothing else.
      this.end(ApiError.internal(`watch listener failed: ${err instanceof Error ? err.message : String(err)}`));
    } finally {
      this.delivering = false;
    }
    if (!more) this.paused = true;
  }

  /** The next event to deliver: the backlog (read a page at a time), then the live queue. */
  private nextPending(): StoreEvent | undefined {
    for (;;) {
      if (this.backlogIndex < this.backlog.length) return this.backlog[this.backlogIndex++];
      if (this.cursor >= this.backlogEnd) break;
      if (!this.fetchBacklogPage()) return undefined;
    }
    if (this.head >= this.queue.length) return undefined;
    const event = this.queue[this.head++];
    this.compactQueue();
    return event;
  }

  /** The backlog is read one page at a time so that a long replay holds little memory. */
  private fetchBacklogPage(): boolean {
    try {
      this.backlog = this.readBacklog(this.prefix, this.cursor, this.backlogEnd, backlogPage);
    } catch (err) {
      this.end(err instanceof ApiError ? err : ApiError.internal(String(err)));
      return false;
    }
    this.backlogIndex = 0;
    // A short page means nothing else under the prefix up to backlogEnd.
    this.cursor = this.backlog.length < backlogPage ? this.backlogEnd : this.backlog[this.backlog.length - 1].revision;
    return true;
  }

  private compactQueue(): void {
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private end(err?: ApiError): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = err;
    this.queue = [];
    this.head = 0;
    this.backlog = [];
    this.feed.remove(this);
    this.notifyEnd();
  }

  private notifyEnd(): void {
    try {
      this.listener?.end(this.failure);
    } catch (err) {
      log.error("watch listener failed at its end", { err, prefix: this.prefix });
    }
  }
}
