// What the kubelet remembers of its pods across its own restarts: each pod's
// metadata and spec in DATA/pods/<uid>/pod.json, written when first seen and
// when they change (rarely: status updates do not count). A restarted agent
// that cannot reach the server keeps syncing these pods (restarting crashed
// containers) until the pod list arrives.
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "../api/types.ts";
import { logger } from "../util/log.ts";

const log = logger("kubelet/pod-cache");

/** The part of a pod worth keeping: no status, no volatile metadata. */
export function durablePart(pod: Pod): Pod {
  const { name, namespace, uid, labels, annotations, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds } = pod.metadata;
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace, uid, labels, annotations, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds }, spec: pod.spec };
}

export class PodCache {
  private readonly written = new Map<string, string>();

  constructor(private readonly dataDir: string) {}

  /** Pods remembered from before (key "namespace/name"). */
  load(): Map<string, Pod> {
    const out = new Map<string, Pod>();
    const root = join(this.dataDir, "pods");
    if (!existsSync(root)) return out;
    for (const uid of readdirSync(root)) {
      const file = join(root, uid, "pod.json");
      if (!existsSync(file)) continue;
      try {
        const text = readFileSync(file, "utf8");
        const pod = JSON.parse(text) as Pod;
        this.written.set(uid, text);
        out.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod);
      } catch (err) {
        log.warn("skipping unreadable pod record", { file, err });
      }
    }
    return out;
  }

  /** Remember the pod (its dir must exist); writes only when the durable part changed. */
  save(pod: Pod): void {
    const uid = pod.metadata.uid ?? "";
    const text = JSON.stringify(durablePart(pod));
    if (this.written.get(uid) === text) return;
    const file = join(this.dataDir, "pods", uid, "pod.json");
    try {
      writeFileSync(file + ".tmp", text);
      renameSync(file + ".tmp", file);
      this.written.set(uid, text);
    } catch (err) {
      log.warn("cannot remember pod", { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, err });
    }
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }
}
