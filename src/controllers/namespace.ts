// Namespace: when a namespace is deleted (Terminating, with the "kubernetes"
// finalizer in spec.finalizers), delete everything in it; once it is empty,
// drop the finalizer so the API server removes the namespace.
import { isApiError } from "../api/errors.ts";
import { isBeingDeleted } from "../api/meta.ts";
import { Namespaces, registry } from "../api/registry.ts";
import type { Namespace } from "../api/types.ts";
import type { ControllerContext, ControllerDefinition, SyncResult } from "./manager.ts";
import { wireSelf } from "./owned-pods.ts";

export const namespaceFinalizer = "kubernetes";

export function namespaceNeedsCleanup(ns: Namespace): boolean {
  return (isBeingDeleted(ns) || ns.status?.phase === "Terminating") && (ns.spec?.finalizers ?? []).includes(namespaceFinalizer);
}

export const namespaceController: ControllerDefinition = {
  name: "namespace",
  setup(ctx, queue) {
    const namespaces = ctx.informer(Namespaces);
    wireSelf(namespaces, queue);
    return (name) => syncNamespace(ctx, namespaces.get("", name));
  },
};

async function syncNamespace(ctx: ControllerContext, ns: Namespace | undefined): Promise<SyncResult> {
  if (!ns || !namespaceNeedsCleanup(ns)) return;
  const name = ns.metadata.name ?? "";
  let remaining = 0;
  for (const rt of registry) {
    if (!rt.namespaced) continue;
    const list = await ctx.client.list(rt, name);
    for (const obj of list.items) {
      remaining++;
      if (isBeingDeleted(obj)) continue;
      await ctx.client.delete(rt, name, obj.metadata.name ?? "", { propagationPolicy: "Background" }).catch((err: unknown) => {
        if (!isApiError(err, "NotFound")) throw err;
      });
    }
  }
  if (remaining > 0) {
    // Pods wait for their kubelet, owners for their dependents: look again shortly.
    ctx.log.debug("namespace not empty yet", { namespace: name, remaining });
    return 500;
  }
  const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== namespaceFinalizer);
  await finalizeNamespace(ctx, ns, finalizers);
  ctx.log.info("namespace emptied", { namespace: name });
}

/** Kubernetes removes spec.finalizers through the namespace's finalize subresource. */
async function finalizeNamespace(ctx: ControllerContext, ns: Namespace, finalizers: string[]): Promise<void> {
  const body: Namespace = { ...ns, spec: { ...(ns.spec ?? {}), finalizers } };
  try {
    await ctx.client.request("PUT", `/api/v1/namespaces/${encodeURIComponent(ns.metadata.name ?? "")}/finalize`, body);
  } catch (err) {
    if (isApiError(err, "NotFound")) return;
    throw err;
  }
}
