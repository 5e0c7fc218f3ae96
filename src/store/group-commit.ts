// Group commit: writes that arrive while the event loop is busy (including
// while the previous transaction was fsyncing, since bun:sqlite commits
// synchronously) are collected and committed together, so many clients share
// one fsync. Each write's promise settles only after its batch committed.

export interface Pending<Op, R> {
  op: Op;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * `commit` gets a batch in arrival order and returns one outcome per write:
 * a result, or an Error for a write that failed alone (e.g. a CAS conflict).
 * If `commit` itself throws, the whole batch failed and every write rejects.
 */
export type CommitBatch<Op, R> = (ops: Op[]) => (R | Error)[];

export class GroupCommitter<Op, R> {
  private pending: Pending<Op, R>[] = [];
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly commit: CommitBatch<Op, R>,
    private readonly maxBatch = 1000,
  ) {}

  submit(op: Op): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once every write submitted so far has settled. */
  drain(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate (not a microtask) so that I/O callbacks ready in this turn —
    // more requests — get to join the batch.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending.splice(0, this.maxBatch);
    if (this.pending.length > 0) this.schedule();
    if (batch.length > 0) this.run(batch);
    if (this.pending.length === 0) this.wakeIdle();
  }

  private run(batch: Pending<Op, R>[]): void {
    let outcomes: (R | Error)[];
    try {
      outcomes = this.commit(batch.map((p) => p.op));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome instanceof Error) p.reject(outcome);
      else p.resolve(outcome as R);
    });
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
