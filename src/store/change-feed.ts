// The live half of watch: the committing writer hands each committed change to
// the feed, which appends it to the queue of every watcher whose prefix
// matches. Watchers replay their backlog from the change log first (paged, on
// demand), then their queue. A watcher that lets its queue grow past its bound
// is cut off with an error: it never slows the writer or other watchers.
import { ApiError } from "../api/errors.ts";
import type { StoreEvent, StoreWatch } from "./store.ts";

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
const done: IteratorReturnResult<undefined> = { value: undefined, done: true };

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

  /** Ends every watch (store closing): their iterators return. */
  closeAll(): void {
    for (const w of [...this.watchers]) w.close();
  }
}

export class Watcher implements StoreWatch {
  private queue: StoreEvent[] = [];
  private head = 0;
  private backlog: StoreEvent[] = [];
  private backlogIndex = 0;
  private waiters: { resolve: (r: IteratorResult<StoreEvent>) => void; reject: (err: unknown) => void }[] = [];
  private failure?: ApiError;
  private closed = false;
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

  push(event: StoreEvent): void {
    if (this.closed || this.failure) return;
    if (this.queue.length - this.head >= this.maxBuffered) {
      this.fail(ApiError.unavailable(`watcher fell behind: more than ${this.maxBuffered} events buffered`));
      return;
    }
    this.queue.push(event);
    this.notify();
  }

  /** Every event under the prefix up to this revision has been handed out (for BOOKMARKs). */
  progress(): number {
    const idle = !this.failure && !this.closed && this.cursor >= this.backlogEnd && this.backlogIndex >= this.backlog.length && this.head >= this.queue.length;
    return idle ? Math.max(this.lastDelivered, this.feed.revision()) : this.lastDelivered;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.feed.remove(this);
    this.notify();
  }

  // A hand-written iterator rather than an async generator: with a thousand
  // watchers, the generator's extra promise hops per event are measurable.
  [Symbol.asyncIterator](): AsyncIterator<StoreEvent> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve(done);
      },
    };
  }

  private next(): Promise<IteratorResult<StoreEvent>> {
    if (this.waiters.length > 0) return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    return this.settle() ?? new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The outcome of a pull if one is ready now: an event, the end, or the error that ended the watch. */
  private settle(): Promise<IteratorResult<StoreEvent>> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve(done);
    let event: StoreEvent | undefined;
    try {
      event = this.nextReady();
    } catch (err) {
      return Promise.reject(err);
    }
    return event ? Promise.resolve({ value: event, done: false }) : undefined;
  }

  private notify(): void {
    while (this.waiters.length > 0) {
      const outcome = this.settle();
      if (!outcome) return;
      const waiter = this.waiters.shift()!;
      outcome.then(waiter.resolve, waiter.reject);
    }
  }

  private nextReady(): StoreEvent | undefined {
    for (;;) {
      if (this.backlogIndex < this.backlog.length) return this.deliver(this.backlog[this.backlogIndex++]);
      if (this.cursor >= this.backlogEnd) break;
      this.fetchBacklogPage();
    }
    while (this.head < this.queue.length) {
      const event = this.queue[this.head++];
      this.compactQueue();
      if (event.revision > this.lastDelivered) return this.deliver(event);
    }
    return undefined;
  }

  private deliver(event: StoreEvent): StoreEvent {
    this.lastDelivered = event.revision;
    return event;
  }

  /** The backlog is read one page at a time so that a long replay holds little memory. */
  private fetchBacklogPage(): void {
    try {
      this.backlog = this.readBacklog(this.prefix, this.cursor, this.backlogEnd, backlogPage);
    } catch (err) {
      this.fail(err instanceof ApiError ? err : ApiError.internal(String(err)));
      throw this.failure;
    }
    this.backlogIndex = 0;
    // A short page means nothing else under the prefix up to backlogEnd.
    this.cursor = this.backlog.length < backlogPage ? this.backlogEnd : this.backlog[this.backlog.length - 1].revision;
  }

  private compactQueue(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private fail(err: ApiError): void {
    if (this.failure || this.closed) return;
    this.failure = err;
    this.queue = [];
    this.head = 0;
    this.feed.remove(this);
    this.notify();
  }

}
