// The Store interface: everything the API server needs from persistent state.
// Only the API server holds a Store; every other component goes through the API.
//
// Keys are opaque strings chosen by the API layer ("/pods/default/web-1");
// listing and watching work on key prefixes ("/pods/default/", "/pods/").
// The store owns metadata.resourceVersion: every write bumps one global
// revision and stamps it on the object it returns. A second backend (etcd for
// multi-server clusters) implements this same interface.
import type { ApiError } from "../api/errors.ts";
import type { KubeObject } from "../api/types.ts";

export type StoreEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: StoreEventType;
  key: string;
  /** The revision of this change (also object.metadata.resourceVersion). */
  revision: number;
  /** ADDED/MODIFIED: the new object; DELETED: the object as it was last stored, stamped with the delete revision. */
  object: KubeObject;
  /** MODIFIED/DELETED: the object before this change (used to send DELETED to watchers whose selector it stops matching). */
  prevObject?: KubeObject;
  /**
   * Live events only: when the change's transaction committed (performance.now(), ms;
   * one reading per batch). Events replayed from the log have none.
   */
  committedAt?: number;
}

export interface ListOptions {
  /** Return at most this many items (0 or absent: all). */
  limit?: number;
  /** Continue after this key (from a previous page's `continueKey`). */
  startAfter?: string;
  /** Apply before `limit` counts, so that a page holds `limit` matching items. */
  filter?: (obj: KubeObject) => boolean;
  /** Read at this revision instead of the latest (continuation of a paged list); Gone when compacted. */
  atRevision?: number;
}

export interface ListResult {
  items: KubeObject[];
  /** The revision the list was read at. */
  revision: number;
  /** Set when more items remain: pass as `startAfter` (with `atRevision: revision`) for the next page. */
  continueKey?: string;
}

export interface WatchOptions {
  /** Most events a watcher may have queued; past it the watch ends with a "too slow" error. */
  maxBuffered?: number;
}

/**
 * Where a watch's events go. Delivery is push, not pull: a committed change
 * reaches every listener in the same turn as its commit, with no promise hop
 * per watcher (with a thousand watchers, those hops were most of the fan-out).
 */
export interface WatchListener {
  /**
   * One event, in revision order, called synchronously as soon as it is ready:
   * the backlog first, then each commit as it is published. Return false to
   * pause (say, the client's socket is full): the store then buffers this
   * watch's events, within its bound, until `resume()`. Must not throw.
   */
  event(ev: StoreEvent): boolean;
  /** The watch ended, once: `err` is Gone or the too-slow error; undefined after `close()`. */
  end(err?: ApiError): void;
}

/**
 * A running watch. Nothing is delivered before `listen`. The store ends it
 * (Gone, or too slow: past its bound while paused) through the listener's `end`.
 */
export interface StoreWatch {
  /** Starts delivery; call once. */
  listen(listener: WatchListener): void;
  /** Continues a paused delivery: buffered events first, then live ones. */
  resume(): void;
  close(): void;
  /**
   * A revision safe to report in a BOOKMARK right now: every event under the
   * prefix up to it has been handed to the listener (the current revision
   * when nothing is pending for this watcher).
   */
  progress(): number;
}

export interface Store {
  get(key: string): Promise<KubeObject | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Throws ApiError AlreadyExists when the key exists. */
  create(key: string, obj: KubeObject): Promise<KubeObject>;
  /**
   * Compare-and-swap: when `expectedRevision` is given and differs from the
   * stored object's revision, throws ApiError Conflict. Throws NotFound when absent.
   */
  update(key: string, obj: KubeObject, expectedRevision?: number): Promise<KubeObject>;
  /** Throws NotFound when absent, Conflict on a stale `expectedRevision`. Returns the deleted object. */
  delete(key: string, expectedRevision?: number): Promise<KubeObject>;
  /**
   * Events under `prefix` with revision > `sinceRevision`, then live events.
   * Throws ApiError Gone when `sinceRevision` is older than the compacted horizon.
   */
  watch(prefix: string, sinceRevision: number, opts?: WatchOptions): StoreWatch;
  /** The latest committed revision. */
  currentRevision(): number;
  /** The oldest revision a watch may still resume from. */
  compactedRevision(): number;
  /** Drop change-log entries at or below `revision`. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
