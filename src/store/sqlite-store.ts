// The Store on SQLite (bun:sqlite, WAL), kine-style:
//   kv   — the current state: one row per key, with the revision that wrote it;
//   log  — the change feed: one append-only row per revision (ADDED/MODIFIED/
//          DELETED, the new object and the previous one), written in the same
//          transaction as kv.
// This process is the only writer, so the revision counter lives in memory and
// every read and write runs synchronously on the event loop: reads see exactly
// the committed state, and a watch registers and reads its backlog with no
// commit in between. Concurrent writes are group-committed (group-commit.ts);
// live events are fanned out by the committing writer (change-feed.ts).
//
// Paged lists read at the first page's revision: the later pages take current
// rows and undo, from the log's `prev` column, every change made since — exact
// as long as that revision is not compacted (else Gone).
//
// Compaction keeps the last `compactKeep` revisions of the log. It runs on a
// timer only when something was written since its last run, and then
// checkpoints the WAL, so an idle store writes nothing to disk. Keys under
// `volatilePrefixes` (node leases) live in memory instead (memory-tier.ts).
// Design notes and measurements: docs/store.md.
import { Database, type Statement } from "bun:sqlite";
import { ApiError } from "../api/errors.ts";
import { parseKey } from "../api/registry.ts";
import type { KubeObject } from "../api/types.ts";
import { logger } from "../util/log.ts";
import { ChangeFeed, toEvent, type ChangeRecord } from "./change-feed.ts";
import { GroupCommitter } from "./group-commit.ts";
import { MemoryTier } from "./memory-tier.ts";
import type { ListOptions, ListResult, Store, StoreEvent, StoreWatch, WatchOptions } from "./store.ts";

const log = logger("store");

export interface SqliteStoreOptions {
  /** Database file; ":memory:" for throwaway stores. */
  path: string;
  /** "full" (default): fsync every commit, survives power loss. "normal": survives a process crash, may lose the last commits on power loss. */
  sync?: "full" | "normal";
  /** Log revisions kept for watch resumption and paged lists (default 10000). */
  compactKeep?: number;
  /** How often to consider compacting (default 60 s); nothing runs unless there were writes. 0 disables the timer. */
  compactIntervalMs?: number;
  /** Default bound of a watcher's queue (default 1000 events). */
  watchBuffer?: number;
  /**
   * Key prefixes kept in memory only (e.g. "/coordination.k8s.io/leases/"): high-churn
   * state that must not wear out flash storage. Lost on restart; with any set, a
   * restart also makes every older revision Gone (their history is gone).
   */
  volatilePrefixes?: string[];
  /** Names a key's resource for error messages; default: the registry's parseKey. */
  describeKey?: (key: string) => { resource: string; name: string };
}

export interface SqliteStoreStats {
  /** Write transactions committed (a group commit counts once). */
  transactions: number;
  /** Writes committed (successful creates, updates, deletes). */
  writes: number;
  compactions: number;
  watchers: number;
  revision: number;
  compactedRevision: number;
}

type WriteOp =
  | { kind: "create"; key: string; obj: KubeObject }
  | { kind: "update"; key: string; obj: KubeObject; expectedRevision?: number }
  | { kind: "delete"; key: string; expectedRevision?: number };

interface Row {
  revision: number;
  value: string;
}

interface KeyValueRow {
  key: string;
  value: string;
}

interface LogRow {
  revision: number;
  key: string;
  type: number;
  value: string | null;
  prev: string | null;
}

/** Revisions handed to volatile writes are reserved on disk this many at a time, so that a restart never reuses one. */
const reserveBlock = 100_000;

const eventTypes: StoreEvent["type"][] = ["ADDED", "MODIFIED", "DELETED"];
const typeCode: Record<StoreEvent["type"], number> = { ADDED: 0, MODIFIED: 1, DELETED: 2 };

/** The smallest string greater than every string starting with `prefix` (keys are ASCII, so "\uffff" bounds all). */
function prefixEnd(prefix: string): string {
  if (prefix === "") return "\uffff";
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Merges two key-ordered row streams with disjoint keys. */
function* mergeByKey(a: Iterable<KeyValueRow>, b: KeyValueRow[]): Generator<KeyValueRow> {
  let i = 0;
  for (const row of a) {
    while (i < b.length && b[i].key < row.key) yield b[i++];
    yield row;
  }
  while (i < b.length) yield b[i++];
}

function stamp(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

export class SqliteStore implements Store {
  private readonly db: Database;
  private readonly feed = new ChangeFeed(() => this.revision);
  private readonly committer: GroupCommitter<WriteOp, KubeObject>;
  private readonly describeKey: (key: string) => { resource: string; name: string };
  private readonly compactKeep: number;
  private readonly watchBuffer: number;
  private readonly timer?: ReturnType<typeof setInterval>;
  private readonly memory: MemoryTier;
  private revision: number;
  /** The effective horizon: watches and paged lists below it are Gone. */
  private compacted: number;
  /** The horizon of the log table on disk (≤ compacted). */
  private diskCompacted: number;
  /** Revisions up to this may have been handed to volatile writes. */
  private reserved: number;
  private dirtyDisk = false;
  private dirtyMemory = false;
  private closed = false;
  private counters = { transactions: 0, writes: 0, compactions: 0 };

  private readonly q: {
    get: Statement<Row, [string]>;
    put: Statement<unknown, [string, number, string]>;
    del: Statement<unknown, [string]>;
    append: Statement<unknown, [number, string, number, string | null, string | null]>;
    setMeta: Statement<unknown, [string, number]>;
  };

  constructor(opts: SqliteStoreOptions) {
    this.db = new Database(opts.path, { create: true, strict: true });
    this.describeKey = opts.describeKey ?? parseKey;
    this.compactKeep = opts.compactKeep ?? 10000;
    this.watchBuffer = opts.watchBuffer ?? 1000;
    this.configure(opts.sync ?? "full");
    this.q = {
      get: this.db.query("SELECT revision, value FROM kv WHERE key = ?"),
      put: this.db.query("INSERT OR REPLACE INTO kv (key, revision, value) VALUES (?, ?, ?)"),
      del: this.db.query("DELETE FROM kv WHERE key = ?"),
      append: this.db.query("INSERT INTO log (revision, key, type, value, prev) VALUES (?, ?, ?, ?, ?)"),
      setMeta: this.db.query("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)"),
    };
    const meta = (name: string) => this.db.query<{ value: number }, [string]>("SELECT value FROM meta WHERE name = ?").get(name)?.value ?? 0;
    this.diskCompacted = meta("compacted");
    this.reserved = meta("reserved");
    const last = this.db.query<{ r: number | null }, []>("SELECT max(revision) AS r FROM log").get()?.r ?? 0;
    this.revision = Math.max(this.diskCompacted, last, this.reserved);
    this.memory = new MemoryTier(opts.volatilePrefixes ?? []);
    // The history of volatile keys did not survive the restart: nothing before now can be replayed exactly.
    this.compacted = this.memory.enabled ? this.revision : this.diskCompacted;
    this.committer = new GroupCommitter((ops) => this.commitBatch(ops));
    const interval = opts.compactIntervalMs ?? 60_000;
    if (interval > 0) {
      this.timer = setInterval(() => this.maintain(), interval);
      this.timer.unref();
    }
  }

  private configure(sync: "full" | "normal"): void {
    this.db.run("PRAGMA journal_mode = WAL");
    this.db.run(`PRAGMA synchronous = ${sync === "full" ? "FULL" : "NORMAL"}`);
    this.db.run("PRAGMA busy_timeout = 5000");
    // Page cache up to 16 MiB (default 2 MiB): reads of the working set stay in memory.
    this.db.run("PRAGMA cache_size = -16384");
    // Checkpoint every ~4 MiB of WAL and cut the file back after a checkpoint.
    this.db.run("PRAGMA wal_autocheckpoint = 1000");
    this.db.run("PRAGMA journal_size_limit = 8388608");
    // A rowid table, not WITHOUT ROWID: with ~1 KiB values the latter's b-tree
    // is deep and point reads were 4-5× slower (measured: 31 µs vs 7 µs).
    this.db.run(`CREATE TABLE IF NOT EXISTS kv (
      key TEXT PRIMARY KEY, revision INTEGER NOT NULL, value TEXT NOT NULL)`);
    this.db.run(`CREATE TABLE IF NOT EXISTS log (
      revision INTEGER PRIMARY KEY, key TEXT NOT NULL, type INTEGER NOT NULL, value TEXT, prev TEXT)`);
    this.db.run("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID");
  }

  // ---- reads ---------------------------------------------------------------

  async get(key: string): Promise<KubeObject | undefined> {
    this.assertOpen();
    const row = this.memory.covers(key) ? this.memory.committed(key) : this.q.get.get(key);
    return row ? JSON.parse(row.value) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const at = opts.atRevision ?? this.revision;
    if (at > this.revision) throw new ApiError(504, "Timeout", `Too large resource version: ${at}, current: ${this.revision}`);
    if (at < this.revision && at < this.compacted) {
      throw ApiError.gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KubeObject[] = [];
    let lastKey: string | undefined;
    let more = false;
    for (const { key, value } of this.rowsAt(prefix, opts.startAfter, at)) {
      if (items.length >= limit) {
        more = true;
        break;
      }
      const obj = JSON.parse(value) as KubeObject;
      lastKey = key;
      if (opts.filter && !opts.filter(obj)) continue;
      items.push(obj);
    }
    return more && lastKey !== undefined ? { items, revision: at, continueKey: lastKey } : { items, revision: at };
  }

  /** Rows under `prefix` after `startAfter`, in key order, as they were at revision `at`. */
  private *rowsAt(prefix: string, startAfter: string | undefined, at: number): Generator<KeyValueRow> {
    const from = startAfter !== undefined && startAfter >= prefix ? startAfter : undefined;
    const end = prefixEnd(prefix);
    const where = `${from !== undefined ? "key > ?1" : "key >= ?1"} AND key < ?2`;
    const params = [from ?? prefix, end];
    const fromDisk = this.db.query<KeyValueRow, string[]>(`SELECT key, value FROM kv WHERE ${where} ORDER BY key`).iterate(...params);
    const volatile = this.memory.overlaps(prefix);
    const current = volatile ? mergeByKey(fromDisk, this.memory.rowsIn(params[0], from === undefined, end)) : fromDisk;
    if (at === this.revision) {
      yield* current;
      return;
    }
    // Undo the changes made after `at`: the first change to each key after `at`
    // tells what it was at `at` (absent if that change created it).
    const changes: { key: string; prev: string | null; revision: number }[] = this.db
      .query<LogRow, (string | number)[]>(`SELECT revision, key, type, value, prev FROM log WHERE revision > ?3 AND ${where} ORDER BY revision`)
      .all(...params, at);
    if (volatile) {
      changes.push(...this.memory.changes(at, Infinity, params[0], end, from === undefined));
      changes.sort((a, b) => a.revision - b.revision);
    }
    const thenValue = new Map<string, string | null>();
    for (const c of changes) if (!thenValue.has(c.key)) thenValue.set(c.key, c.prev);
    const restored = [...thenValue].filter((e): e is [string, string] => e[1] !== null).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    let i = 0;
    for (const row of current) {
      while (i < restored.length && restored[i][0] < row.key) yield { key: restored[i][0], value: restored[i++][1] };
      if (!thenValue.has(row.key)) yield row;
    }
    while (i < restored.length) yield { key: restored[i][0], value: restored[i++][1] };
  }

  currentRevision(): number {
    return this.revision;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  stats(): SqliteStoreStats {
    return { ...this.counters, watchers: this.feed.size, revision: this.revision, compactedRevision: this.compacted };
  }

  // ---- writes --------------------------------------------------------------

  create(key: string, obj: KubeObject): Promise<KubeObject> {
    return this.submit({ kind: "create", key, obj });
  }

  update(key: string, obj: KubeObject, expectedRevision?: number): Promise<KubeObject> {
    return this.submit({ kind: "update", key, obj, expectedRevision });
  }

  /** Returns the deleted object stamped with the revision of the delete. */
  delete(key: string, expectedRevision?: number): Promise<KubeObject> {
    return this.submit({ kind: "delete", key, expectedRevision });
  }

  private submit(op: WriteOp): Promise<KubeObject> {
    if (this.closed) return Promise.reject(ApiError.unavailable("store is closed"));
    return this.committer.submit(op);
  }

  private commitBatch(ops: WriteOp[]): (KubeObject | Error)[] {
    const start = { revision: this.revision, reserved: this.reserved };
    const records: ChangeRecord[] = [];
    const outcomes: (KubeObject | Error)[] = [];
    // Deferred: a batch of volatile writes only takes no lock and touches no file.
    this.db.run("BEGIN");
    try {
      for (const op of ops) outcomes.push(this.apply(op, records));
      this.db.run(records.length > 0 ? "COMMIT" : "ROLLBACK");
    } catch (err) {
      this.revision = start.revision;
      this.reserved = start.reserved;
      this.memory.discard();
      if (this.db.inTransaction) this.db.run("ROLLBACK");
      log.error("write transaction failed", { err, writes: ops.length });
      throw ApiError.internal(`storage error: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.memory.commit();
    if (records.length > 0) {
      this.counters.transactions++;
      this.counters.writes += records.length;
      this.feed.publish(records);
    }
    return outcomes;
  }

  /** One write inside the batch transaction; a failed precondition returns its error and writes nothing. */
  private apply(op: WriteOp, records: ChangeRecord[]): KubeObject | Error {
    const volatile = this.memory.covers(op.key);
    const existing = volatile ? this.memory.get(op.key) : this.q.get.get(op.key);
    if (op.kind === "create") {
      if (existing) return this.error("alreadyExists", op.key);
    } else {
      if (!existing) return this.error("notFound", op.key);
      if (op.expectedRevision !== undefined && op.expectedRevision !== existing.revision) return this.error("conflict", op.key);
    }
    const revision = this.revision + 1;
    const prev = existing?.value ?? null;
    let rec: ChangeRecord;
    let result: KubeObject;
    if (op.kind === "delete") {
      rec = { revision, key: op.key, type: "DELETED", value: null, prev };
      result = stamp(JSON.parse(prev!), revision);
    } else {
      result = stamp(op.obj, revision);
      let value: string;
      try {
        value = JSON.stringify(result);
      } catch (err) {
        return ApiError.badRequest(`object cannot be stored: ${err instanceof Error ? err.message : String(err)}`);
      }
      rec = { revision, key: op.key, type: op.kind === "create" ? "ADDED" : "MODIFIED", value, prev };
    }
    this.revision = revision;
    if (volatile) this.stageVolatile(rec);
    else this.persist(rec);
    records.push(rec);
    return result;
  }

  private persist(rec: ChangeRecord): void {
    if (rec.value === null) this.q.del.run(rec.key);
    else this.q.put.run(rec.key, rec.revision, rec.value);
    this.q.append.run(rec.revision, rec.key, typeCode[rec.type], rec.value, rec.prev);
    this.dirtyDisk = true;
  }

  private stageVolatile(rec: ChangeRecord): void {
    this.memory.stage(rec);
    this.dirtyMemory = true;
    if (rec.revision <= this.reserved) return;
    this.reserved = rec.revision + reserveBlock;
    this.q.setMeta.run("reserved", this.reserved);
  }

  private error(kind: "alreadyExists" | "notFound" | "conflict", key: string): ApiError {
    const { resource, name } = this.describeKey(key);
    return ApiError[kind](resource, name);
  }

  // ---- watch ---------------------------------------------------------------

  watch(prefix: string, sinceRevision: number, opts: WatchOptions = {}): StoreWatch {
    this.assertOpen();
    this.assertNotCompacted(sinceRevision, prefix);
    return this.feed.open(prefix, sinceRevision, opts.maxBuffered ?? this.watchBuffer, (p, after, upTo, limit) =>
      this.readLog(p, after, upTo, limit),
    );
  }

  private readLog(prefix: string, after: number, upTo: number, limit: number): StoreEvent[] {
    this.assertOpen();
    this.assertNotCompacted(after, prefix);
    const end = prefixEnd(prefix);
    const records: ChangeRecord[] = this.db
      .query<LogRow, (string | number)[]>(`SELECT revision, key, type, value, prev FROM log WHERE revision > ?1 AND revision <= ?2 AND key >= ?3 AND key < ?4 ORDER BY revision LIMIT ?5`)
      .all(after, upTo, prefix, end, limit)
      .map((r) => ({ ...r, type: eventTypes[r.type] }));
    if (this.memory.overlaps(prefix)) {
      records.push(...this.memory.changes(after, upTo, prefix, end));
      records.sort((a, b) => a.revision - b.revision);
      records.length = Math.min(records.length, limit);
    }
    return records.map(toEvent);
  }

  /**
   * Where history under `prefix` starts. Only volatile history is lost on a
   * restart (and trimmed in memory); a watch that cannot see volatile keys
   * resumes from the disk log as long as that still holds its revision.
   */
  private assertNotCompacted(revision: number, prefix: string): void {
    const horizon = this.memory.overlaps(prefix) ? this.compacted : this.diskCompacted;
    if (revision < horizon) throw ApiError.gone(`too old resource version: ${revision} (${horizon})`);
  }

  // ---- compaction ----------------------------------------------------------

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision > this.revision) throw ApiError.badRequest(`cannot compact to revision ${revision}: current revision is ${this.revision}`);
    // Bounded chunks keep each transaction (and the event-loop pause) short.
    const chunk = 5000;
    for (let from = this.diskCompacted; from < revision; from += chunk) {
      const upTo = Math.min(revision, from + chunk);
      this.db.transaction(() => {
        this.db.query("DELETE FROM log WHERE revision <= ?").run(upTo);
        this.q.setMeta.run("compacted", upTo);
      }).immediate();
      this.diskCompacted = upTo;
    }
    this.compactMemory(revision);
  }

  private compactMemory(revision: number): void {
    if (revision <= this.compacted) return;
    this.memory.compact(revision);
    this.compacted = revision;
    this.counters.compactions++;
  }

  /**
   * The periodic job, which does nothing unless something was written since its
   * last run. After volatile writes alone it trims memory and touches no file.
   */
  private maintain(): void {
    if (this.closed || !(this.dirtyDisk || this.dirtyMemory)) return;
    const disk = this.dirtyDisk;
    this.dirtyDisk = this.dirtyMemory = false;
    const target = this.revision - this.compactKeep;
    if (!disk) {
      this.compactMemory(target);
      return;
    }
    const run = target > this.diskCompacted ? this.compact(target) : Promise.resolve();
    run
      .then(() => {
        if (!this.closed) this.db.run("PRAGMA wal_checkpoint(TRUNCATE)");
      })
      .catch((err) => log.error("compaction failed", { err }));
  }

  // ---- lifecycle -----------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    await this.committer.drain();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.feed.closeAll();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw ApiError.unavailable("store is closed");
  }
}

export function openSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(opts);
}
