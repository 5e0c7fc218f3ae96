// Shared test helpers for the store tests: temp stores, objects, reading watches with deadlines.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeObject } from "../../src/api/types.ts";
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from "../../src/store/sqlite-store.ts";
import type { StoreEvent, StoreWatch } from "../../src/store/store.ts";

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "skiff-store-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A store in a fresh temp dir; `cleanup` closes it and removes the dir. */
export function tempStore(opts: Partial<SqliteStoreOptions> = {}): { store: SqliteStore; path: string; dir: string; cleanup: () => Promise<void> } {
  const { dir, cleanup } = tempDir();
  const path = join(dir, "state.db");
  const store = openSqliteStore({ path, compactIntervalMs: 0, ...opts });
  return {
    store,
    path,
    dir,
    cleanup: async () => {
      await store.close();
      cleanup();
    },
  };
}

export function configMap(name: string, namespace = "default", data: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data };
}

export const cmKey = (name: string, namespace = "default") => `/core/configmaps/${namespace}/${name}`;

/**
 * Reads one watch a pull at a time, each pull bounded by a deadline so a broken
 * watch fails the test instead of hanging it. Its listener holds at most one
 * unread event and pauses the watch meanwhile, so the store's own buffer (and
 * its bound) sees a reader exactly as slow as the test.
 */
export class WatchReader {
  private unread?: StoreEvent;
  private ended?: { err?: unknown };
  private wake?: () => void;
  constructor(readonly watch: StoreWatch) {
    watch.listen({
      event: (ev) => {
        this.unread = ev;
        this.wake?.();
        return false;
      },
      end: (err) => {
        this.ended = { err };
        this.wake?.();
      },
    });
  }

  async next(ms = 5000): Promise<IteratorResult<StoreEvent>> {
    const deadline = Date.now() + ms;
    while (!this.unread && !this.ended) {
      if (Date.now() >= deadline) throw new Error(`no watch event within ${ms} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, deadline - Date.now());
      });
      clearTimeout(timer);
      this.wake = undefined;
    }
    const ev = this.unread;
    if (ev) {
      this.unread = undefined;
      this.watch.resume();
      return { value: ev, done: false };
    }
    if (this.ended?.err) throw this.ended.err;
    return { value: undefined, done: true };
  }

  async take(n: number, ms = 5000): Promise<StoreEvent[]> {
    const out: StoreEvent[] = [];
    while (out.length < n) {
      const r = await this.next(ms);
      if (r.done) throw new Error(`watch ended after ${out.length} of ${n} events`);
      out.push(r.value);
    }
    return out;
  }

  /** Resolves with the error the watch ends with (fails if it yields `limit` events first). */
  async error(ms = 5000, limit = 1_000_000): Promise<unknown> {
    for (let i = 0; i < limit; i++) {
      try {
        const r = await this.next(ms);
        if (r.done) return undefined;
      } catch (err) {
        return err;
      }
    }
    throw new Error("watch did not fail");
  }
}

/** Size and mtime of the database, WAL and shm files: an idle store must leave them alone. */
export function diskSnapshot(path: string): Record<string, [number, number] | null> {
  const out: Record<string, [number, number] | null> = {};
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const s = statSync(f);
      out[f] = [s.size, s.mtimeMs];
    } catch {
      out[f] = null;
    }
  }
  return out;
}

/** The WAL is cut back to nothing: the post-write checkpoint (wal_checkpoint(TRUNCATE)) has run. */
export function walTruncated(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size === 0;
  } catch {
    return true;
  }
}
