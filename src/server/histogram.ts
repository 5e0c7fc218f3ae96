// A Prometheus histogram with fixed buckets: observing is a short scan for the
// bucket and two additions, no allocation (it sits on the watch fan-out path,
// once per delivered event per watcher).

export class Histogram {
  /** Non-cumulative counts per bucket; the last one is +Inf. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  /** `bounds`: upper bounds in ascending order, without +Inf. */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
  ) {
    for (let i = 1; i < bounds.length; i++) if (!(bounds[i] > bounds[i - 1])) throw new Error(`histogram ${name}: bucket bounds must ascend`);
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }

  /** The histogram in Prometheus text format (cumulative `_bucket` lines, `_sum`, `_count`). */
  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    let cumulative = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      cumulative += this.counts[i];
      const le = i < this.bounds.length ? String(this.bounds[i]) : "+Inf";
      out.push(`${this.name}_bucket{le="${le}"} ${cumulative}`);
    }
    out.push(`${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return out;
  }
}
