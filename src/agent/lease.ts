// The node's heartbeat: a coordination.k8s.io Lease in kube-node-lease named
// after the node, renewed every quarter of its duration. Cheap to write, and
// what the node lifecycle controller watches to tell a dead node.
import { isApiError } from "../api/errors.ts";
import { Leases, Namespaces } from "../api/registry.ts";
import type { Lease } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { logger } from "../util/log.ts";

const log = logger("agent/lease");
export const NODE_LEASE_NAMESPACE = "kube-node-lease";

export function nodeLease(nodeName: string, durationSeconds: number, now: string, nodeUid?: string): Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: now },
  };
}

export async function renewLease(client: Client, nodeName: string, durationSeconds: number, nodeUid?: string): Promise<void> {
  const now = new Date().toISOString();
  try {
    const lease = await client.get<Lease>(Leases, NODE_LEASE_NAMESPACE, nodeName);
    lease.spec = { ...lease.spec, holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: now };
    await client.update<Lease>(Leases, lease);
    return;
  } catch (err) {
    if (!isApiError(err, "NotFound")) throw err;
  }
  try {
    await client.create<Lease>(Leases, nodeLease(nodeName, durationSeconds, now, nodeUid));
  } catch (err) {
    if (!isApiError(err, "NotFound")) throw err;
    // The namespace is missing (an old server): try to create it, then the lease next round.
    await client.create(Namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: NODE_LEASE_NAMESPACE } }).catch(() => {});
    throw err;
  }
}

export function startLeaseRenewal(client: Client, nodeName: string, durationSeconds: number, nodeUid?: string): { stop(): void } {
  const everyMs = Math.max(250, (durationSeconds * 1000) / 4);
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failing = false;
  const tick = async () => {
    try {
      await renewLease(client, nodeName, durationSeconds, nodeUid);
      if (failing) log.info("lease renewed again", { node: nodeName });
      failing = false;
    } catch (err) {
      if (!failing) log.warn("lease renewal failed; retrying", { node: nodeName, err });
      failing = true;
    }
    if (!stopped) {
      timer = setTimeout(tick, everyMs);
      timer.unref?.();
    }
  };
  void tick();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
