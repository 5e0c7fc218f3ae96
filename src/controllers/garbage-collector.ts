// The garbage collector: keeps the ownerReferences graph of every object and
// acts on it, as Kubernetes' does —
//  * an object whose owners are all gone is deleted (Background propagation:
//    the owner went first, its dependents follow);
//  * an owner being deleted with the "foregroundDeletion" finalizer has its
//    dependents deleted first and loses the finalizer once no blocking
//    dependent is left;
//  * an owner being deleted with the "orphan" finalizer has its reference
//    removed from every dependent, then loses the finalizer.
import { isApiError } from "../api/errors.ts";
import { isBeingDeleted } from "../api/meta.ts";
import { Events, registry, resourceForKind } from "../api/registry.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { KubeObject, OwnerReference } from "../api/types.ts";
import type { ControllerContext, ControllerDefinition, SyncResult } from "./manager.ts";

export const foregroundFinalizer = "foregroundDeletion";
export const orphanFinalizer = "orphan";

export type OwnerState = "present" | "absent" | "deletingForeground";

export type DependentAction =
  | { action: "none" }
  | { action: "delete"; propagationPolicy: "Background" | "Foreground" }
  | { action: "setOwners"; ownerReferences: OwnerReference[] };

/** What to do with an object given the state of each of its owners (by uid). */
export function decideDependent(obj: KubeObject, owners: Map<string, OwnerState>): DependentAction {
  const refs = obj.metadata.ownerReferences ?? [];
  if (!refs.length || isBeingDeleted(obj)) return { action: "none" };
  const state = (r: OwnerReference) => owners.get(r.uid) ?? "present";
  const absent = refs.filter((r) => state(r) === "absent");
  const solid = refs.filter((r) => state(r) === "present");
  const waiting = refs.filter((r) => state(r) === "deletingForeground");
  if (absent.length === refs.length) return { action: "delete", propagationPolicy: "Background" };
  // Owners deleting in the foreground wait for us; with no other live owner we go, in the foreground too.
  if (solid.length === 0 && waiting.length > 0) return { action: "delete", propagationPolicy: "Foreground" };
  if (absent.length > 0) return { action: "setOwners", ownerReferences: refs.filter((r) => state(r) !== "absent") };
  return { action: "none" };
}

export interface OwnerPlan {
  /** Dependents to delete (foreground). */
  deleteDependents: KubeObject[];
  /** Dependents to release (orphan). */
  releaseDependents: KubeObject[];
  /** The finalizers the owner keeps (undefined: unchanged). */
  finalizers?: string[];
}

/** What a deleting owner's GC finalizers call for, given its current dependents. */
export function decideDeletingOwner(owner: KubeObject, dependents: KubeObject[]): OwnerPlan {
  const plan: OwnerPlan = { deleteDependents: [], releaseDependents: [] };
  const finalizers = owner.metadata.finalizers ?? [];
  if (!isBeingDeleted(owner)) return plan;
  const uid = owner.metadata.uid;
  let keep = finalizers;
  if (finalizers.includes(orphanFinalizer)) {
    plan.releaseDependents = dependents;
    keep = keep.filter((f) => f !== orphanFinalizer);
  } else if (finalizers.includes(foregroundFinalizer)) {
    plan.deleteDependents = dependents.filter((d) => !isBeingDeleted(d));
    const blocking = dependents.filter((d) => d.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion));
    if (blocking.length === 0) keep = keep.filter((f) => f !== foregroundFinalizer);
  }
  if (keep.length !== finalizers.length) plan.finalizers = keep;
  return plan;
}

// ---- the loop: a uid-keyed graph over every kind ------------------------------------

interface GraphNode {
  rt: ResourceType;
  obj: KubeObject;
}

class OwnerGraph {
  readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();

  upsert(rt: ResourceType, obj: KubeObject): void {
    const uid = obj.metadata.uid ?? "";
    const old = this.nodes.get(uid);
    for (const r of old?.obj.metadata.ownerReferences ?? []) this.dependents.get(r.uid)?.delete(uid);
    this.nodes.set(uid, { rt, obj });
    for (const r of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(r.uid);
      if (!set) this.dependents.set(r.uid, (set = new Set()));
      set.add(uid);
    }
  }

  remove(obj: KubeObject): void {
    const uid = obj.metadata.uid ?? "";
    for (const r of this.nodes.get(uid)?.obj.metadata.ownerReferences ?? []) this.dependents.get(r.uid)?.delete(uid);
    this.nodes.delete(uid);
  }

  dependentsOf(uid: string): GraphNode[] {
    return [...(this.dependents.get(uid) ?? [])].map((d) => this.nodes.get(d)).filter((n): n is GraphNode => n !== undefined);
  }
}

export const garbageCollector: ControllerDefinition = {
  name: "garbagecollector",
  setup(ctx, queue) {
    const graph = new OwnerGraph();
    const wakeOwners = (obj: KubeObject) => {
      for (const r of obj.metadata.ownerReferences ?? []) if (graph.nodes.get(r.uid) && isBeingDeleted(graph.nodes.get(r.uid)!.obj)) queue.add(r.uid);
    };
    for (const rt of registry) {
      if (rt === Events) continue;
      ctx.informer(rt).on({
        add(obj) {
          graph.upsert(rt, obj);
          queue.add(obj.metadata.uid ?? "");
          wakeOwners(obj);
        },
        update(_, obj) {
          graph.upsert(rt, obj);
          queue.add(obj.metadata.uid ?? "");
          wakeOwners(obj);
        },
        delete(obj) {
          graph.remove(obj);
          for (const d of graph.dependentsOf(obj.metadata.uid ?? "")) queue.add(d.obj.metadata.uid ?? "");
          wakeOwners(obj);
        },
      });
    }
    return (uid) => syncUid(ctx, graph, uid);
  },
};

async function syncUid(ctx: ControllerContext, graph: OwnerGraph, uid: string): Promise<SyncResult> {
  const node = graph.nodes.get(uid);
  if (!node) return;
  const { rt, obj } = node;
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name ?? "";

  if (isBeingDeleted(obj)) {
    const dependents = graph.dependentsOf(uid);
    const plan = decideDeletingOwner(obj, dependents.map((d) => d.obj));
    for (const d of dependents) {
      if (plan.releaseDependents.includes(d.obj)) {
        const rest = (d.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        await ignoreNotFound(ctx.client.patch(d.rt, d.obj.metadata.namespace, d.obj.metadata.name ?? "", { metadata: { ownerReferences: rest.length ? rest : null } }, "merge"));
      }
      if (plan.deleteDependents.includes(d.obj)) {
        await ignoreNotFound(ctx.client.delete(d.rt, d.obj.metadata.namespace, d.obj.metadata.name ?? "", { propagationPolicy: "Foreground", preconditions: { uid: d.obj.metadata.uid } }));
      }
    }
    if (plan.releaseDependents.length) ctx.event(obj, "Normal", "OrphanedDependents", `Orphaned ${plan.releaseDependents.length} dependent(s)`);
    if (plan.finalizers) {
      await ignoreNotFound(ctx.client.patch(rt, ns, name, { metadata: { finalizers: plan.finalizers, resourceVersion: obj.metadata.resourceVersion } }, "merge"));
    }
    return;
  }

  const refs = obj.metadata.ownerReferences ?? [];
  if (!refs.length) return;
  const states = new Map<string, OwnerState>();
  for (const ref of refs) states.set(ref.uid, await ownerState(ctx, graph, ref, ns));
  const action = decideDependent(obj, states);
  if (action.action === "delete") {
    ctx.log.info("deleting dependent", { kind: obj.kind, namespace: ns, name, propagationPolicy: action.propagationPolicy });
    await ignoreNotFound(ctx.client.delete(rt, ns, name, { propagationPolicy: action.propagationPolicy, preconditions: { uid } }));
  } else if (action.action === "setOwners") {
    await ignoreNotFound(ctx.client.patch(rt, ns, name, { metadata: { ownerReferences: action.ownerReferences, resourceVersion: obj.metadata.resourceVersion } }, "merge"));
  }
}

/** An owner in the graph is trusted; one missing from it is looked up live before it is declared absent. */
async function ownerState(ctx: ControllerContext, graph: OwnerGraph, ref: OwnerReference, namespace: string | undefined): Promise<OwnerState> {
  const cached = graph.nodes.get(ref.uid);
  const classify = (o: KubeObject): OwnerState => (isBeingDeleted(o) && o.metadata.finalizers?.includes(foregroundFinalizer) ? "deletingForeground" : "present");
  if (cached) return classify(cached.obj);
  const rt = resourceForKind(ref.apiVersion, ref.kind);
  if (!rt) return "present"; // a kind we do not know: never delete on a guess
  try {
    const live = await ctx.client.get(rt, rt.namespaced ? namespace : undefined, ref.name);
    return live.metadata.uid === ref.uid ? classify(live) : "absent";
  } catch (err) {
    if (isApiError(err, "NotFound")) return "absent";
    throw err;
  }
}

async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isApiError(err, "NotFound") || isApiError(err, "Conflict")) return undefined;
    throw err;
  }
}
