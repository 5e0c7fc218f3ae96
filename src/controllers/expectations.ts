// Creations and deletions a controller has asked for but not yet seen in its
// cache (client-go's ControllerExpectations). Until they are observed the
// controller does not act again on that owner, so a lagging cache never makes
// it create or delete twice. Expectations expire, so a lost event cannot wedge
// an owner forever.

interface Pending {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly ttlMs = 30_000, private readonly now: () => number = Date.now) {}

  /** Record that `adds` objects will be created and the objects with `deleteUids` deleted for `key`. */
  expect(key: string, adds: number, deleteUids: string[] = []): void {
    if (adds <= 0 && deleteUids.length === 0) return;
    const p = this.pending.get(key) ?? { adds: 0, deletes: new Set<string>(), at: this.now() };
    p.adds += adds;
    for (const uid of deleteUids) p.deletes.add(uid);
    p.at = this.now();
    this.pending.set(key, p);
  }

  /** An object created for `key` appeared (or its creation failed). */
  creationObserved(key: string): void {
    const p = this.pending.get(key);
    if (p && p.adds > 0) p.adds--;
  }

  /** An object deleted for `key` disappeared or got its deletionTimestamp (or the delete failed). */
  deletionObserved(key: string, uid: string): void {
    this.pending.get(key)?.deletes.delete(uid);
  }

  satisfied(key: string): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    if ((p.adds <= 0 && p.deletes.size === 0) || this.now() - p.at > this.ttlMs) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
