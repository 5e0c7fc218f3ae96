// Keys under "volatile" prefixes (node leases: renewed every few seconds by
// every node) live in memory instead of SQLite, so that a quiet cluster does not
// write to its flash storage every few seconds. They share the global revision
// counter, the change feed, CAS and paging with everything else; they are lost
// when the server restarts (their writers re-create them).
//
// Writes are staged per batch and applied only once the batch's transaction
// committed, so a failed batch leaves memory untouched as it leaves the disk.
import type { ChangeRecord } from "./change-feed.ts";

export interface MemoryRow {
  revision: number;
  value: string;
}

export class MemoryTier {
  private readonly rows = new Map<string, MemoryRow>();
  /** Changes in revision order, trimmed with the log's compaction. */
  private log: ChangeRecord[] = [];
  private staged = new Map<string, MemoryRow | null>();
  private stagedLog: ChangeRecord[] = [];

  constructor(private readonly prefixes: string[]) {}

  get enabled(): boolean {
    return this.prefixes.length > 0;
  }

  covers(key: string): boolean {
    return this.prefixes.some((p) => key.startsWith(p));
  }

  /** Whether keys under `prefix` may include volatile ones. */
  overlaps(prefix: string): boolean {
    return this.prefixes.some((p) => p.startsWith(prefix) || prefix.startsWith(p));
  }

  /** The row as the batch in progress sees it. */
  get(key: string): MemoryRow | undefined {
    if (this.staged.has(key)) return this.staged.get(key) ?? undefined;
    return this.rows.get(key);
  }

  /** Committed rows only (reads outside a batch). */
  committed(key: string): MemoryRow | undefined {
    return this.rows.get(key);
  }

  stage(rec: ChangeRecord): void {
    this.staged.set(rec.key, rec.value === null ? null : { revision: rec.revision, value: rec.value });
    this.stagedLog.push(rec);
  }

  commit(): void {
    for (const [key, row] of this.staged) {
      if (row) this.rows.set(key, row);
      else this.rows.delete(key);
    }
    for (const rec of this.stagedLog) this.log.push(rec);
    this.discard();
  }

  discard(): void {
    this.staged = new Map();
    this.stagedLog = [];
  }

  /** Committed rows with from ≤ key (or from < key) and key < end, in key order. */
  rowsIn(from: string, inclusive: boolean, end: string): { key: string; value: string }[] {
    const out: { key: string; value: string }[] = [];
    for (const [key, row] of this.rows) {
      if ((inclusive ? key >= from : key > from) && key < end) out.push({ key, value: row.value });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  /** Changes with after < revision ≤ upTo and keys in [lo, end), oldest first. */
  changes(after: number, upTo: number, lo: string, end: string, loInclusive = true): ChangeRecord[] {
    const out: ChangeRecord[] = [];
    for (let i = this.firstAfter(after); i < this.log.length && this.log[i].revision <= upTo; i++) {
      const rec = this.log[i];
      if ((loInclusive ? rec.key >= lo : rec.key > lo) && rec.key < end) out.push(rec);
    }
    return out;
  }

  compact(revision: number): void {
    this.log = this.log.slice(this.firstAfter(revision));
  }

  private firstAfter(revision: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid].revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
