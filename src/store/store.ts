// The Store interface: everything the API server needs from persistent state.
// Only the API server holds a Store; every other component goes through the API.
//
// Keys are opaque strings chosen by the API layer ("/pods/default/web-1");
// listing and watching work on key prefixes ("/pods/default/", "/pods/").
// The store owns metadata.resourceVersion: every write bumps one global
// revision and stamps it on the object it returns. A second backend (etcd for
// multi-server clusters) implements this same interface.
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
 * A running watch: iterate its events. The iterator ends (throws ApiError Gone
 * or a too-slow error) when the store cuts the watcher off, and returns when
 * `close()` is called.
 */
export interface StoreWatch extends AsyncIterable<StoreEvent> {
  close(): void;
  /**
   * A revision safe to report in a BOOKMARK right now: every event under the
   * prefix up to it has been handed out by the iterator (the current revision
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
