// Prometheus text metrics: request counts by verb and code, open watches, the
// store's revision and (when the store reports them) group-commit statistics,
// and how long a committed change takes to reach each watcher's socket.
import type { Store } from "../store/store.ts";
import { Histogram } from "./histogram.ts";

/** Seconds; fine below 10 ms, where the watch latency target is. */
export const watchDeliveryBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly started = Date.now();
  watches = 0;
  /** Per watcher and live event: the store's commit → the watch handler handing the event's bytes to the response. */
  readonly watchDelivery = new Histogram(
    "skiff_watch_event_delivery_seconds",
    "Time from a change's commit to its watch event being written to a watcher's response stream, per watcher.",
    watchDeliveryBuckets,
  );

  countRequest(verb: string, resource: string, code: number): void {
    const key = `${verb}\u0000${resource}\u0000${code}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  render(store: Store): string {
    const out: string[] = [];
    out.push("# HELP apiserver_request_total Requests by verb, resource and HTTP code.", "# TYPE apiserver_request_total counter");
    for (const [key, n] of this.requests) {
      const [verb, resource, code] = key.split("\u0000");
      out.push(`apiserver_request_total{verb="${verb}",resource="${resource}",code="${code}"} ${n}`);
    }
    out.push("# HELP apiserver_registered_watchers Open watch streams.", "# TYPE apiserver_registered_watchers gauge", `apiserver_registered_watchers ${this.watches}`);
    out.push("# HELP skiff_store_revision Latest committed store revision.", "# TYPE skiff_store_revision gauge", `skiff_store_revision ${store.currentRevision()}`);
    out.push("# HELP skiff_store_compacted_revision Oldest revision a watch may resume from.", "# TYPE skiff_store_compacted_revision gauge", `skiff_store_compacted_revision ${store.compactedRevision()}`);
    const stats = (store as { stats?: () => Record<string, number> }).stats?.();
    if (stats) {
      for (const [name, value] of Object.entries(stats)) {
        // Revision and compacted revision are reported above from the Store interface.
        if (typeof value !== "number" || name === "revision" || name === "compactedRevision") continue;
        const metric = `skiff_store_${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
        out.push(`# TYPE ${metric} gauge`, `${metric} ${value}`);
      }
    }
    out.push(...this.watchDelivery.render());
    out.push("# TYPE process_uptime_seconds gauge", `process_uptime_seconds ${((Date.now() - this.started) / 1000).toFixed(1)}`);
    return out.join("\n") + "\n";
  }
}
