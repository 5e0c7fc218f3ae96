// Endpoints: for each Service with a selector, the addresses of the pods it
// selects — ready ones in `addresses`, the rest in `notReadyAddresses` — with
// target ports resolved per pod (named ports looked up in its containers).
import { podHostPort } from "../agent/ports.ts";
import { isApiError } from "../api/errors.ts";
import { isBeingDeleted, namespacedName, podIsReady, podIsTerminal, splitNamespacedName } from "../api/meta.ts";
import { EndpointsResource, Pods, Services } from "../api/registry.ts";
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service, ServicePort } from "../api/types.ts";
import { workloadSelects } from "./controller-ref.ts";
import type { ControllerContext, ControllerDefinition, SyncResult } from "./manager.ts";
import { wireSelf } from "./owned-pods.ts";
import { canonicalJson } from "./template-hash.ts";

/** The container port a service port reaches on this pod, or undefined when the pod has no such named port. */
export function resolveTargetPort(sp: ServicePort, pod: Pod): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? "TCP") === (sp.protocol ?? "TCP")) return p.containerPort;
  }
  return undefined;
}

/** A Service without a selector has hand-managed Endpoints: it selects no pod. */
function selects(svc: Service, pod: Pod): boolean {
  return workloadSelects({ matchLabels: svc.spec.selector }, pod.metadata.labels ?? {});
}

/** The subsets for a Service: pods grouped by the port set they expose, sorted for a stable result. */
export function endpointSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const groups = new Map<string, EndpointSubset>();
  const publishNotReady = (svc.spec as { publishNotReadyAddresses?: boolean }).publishNotReadyAddresses === true;
  for (const pod of pods) {
    if (pod.metadata.namespace !== svc.metadata.namespace || !selects(svc, pod)) continue;
    if (!pod.status?.podIP || podIsTerminal(pod) || (isBeingDeleted(pod) && !publishNotReady)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      // Pods share their node's network: publish the host port the agent gave this container port (status.hostPorts).
      const ep: EndpointPort = { port: podHostPort(pod, port) ?? port, protocol: sp.protocol ?? "TCP" };
      if (sp.name) ep.name = sp.name;
      ports.push(ep);
    }
    if ((svc.spec.ports ?? []).length > 0 && ports.length === 0) continue;
    const address: EndpointAddress = {
      ip: pod.status.podIP,
      targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name ?? "", uid: pod.metadata.uid },
    };
    if (pod.spec.nodeName) address.nodeName = pod.spec.nodeName;
    const key = canonicalJson(ports);
    const subset = groups.get(key) ?? { ports };
    if (podIsReady(pod) || publishNotReady) (subset.addresses ??= []).push(address);
    else (subset.notReadyAddresses ??= []).push(address);
    groups.set(key, subset);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.name ?? "").localeCompare(b.targetRef?.name ?? ""));
  const subsets = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  for (const s of subsets) {
    s.addresses?.sort(byIp);
    s.notReadyAddresses?.sort(byIp);
    if (!s.ports?.length) delete s.ports;
  }
  return subsets;
}

export const endpointsController: ControllerDefinition = {
  name: "endpoints",
  setup(ctx, queue) {
    const services = ctx.informer(Services);
    const pods = ctx.informer(Pods);
    const endpoints = ctx.informer(EndpointsResource);
    wireSelf(services, queue);
    const wake = (pod: Pod) => {
      for (const svc of services.list()) if (svc.metadata.namespace === pod.metadata.namespace && selects(svc, pod)) queue.add(namespacedName(svc));
    };
    pods.on({ add: wake, update: (old, pod) => (wake(old), wake(pod)), delete: wake });
    // Hand edits to a selector Service's Endpoints are put right again.
    endpoints.on({ update: (_, ep) => queue.add(namespacedName(ep)), delete: (ep) => queue.add(namespacedName(ep)) });
    return (key) => syncEndpoints(ctx, key, services.getByKey(key), endpoints.getByKey(key), pods.list());
  },
};

async function syncEndpoints(ctx: ControllerContext, key: string, svc: Service | undefined, current: Endpoints | undefined, pods: Pod[]): Promise<SyncResult> {
  const { namespace, name } = splitNamespacedName(key);
  if (!svc) {
    // The Service is gone: its Endpoints go too (they have no owner reference, as in Kubernetes).
    if (current) {
      await ctx.client.delete(EndpointsResource, namespace, name).catch((err: unknown) => {
        if (!isApiError(err, "NotFound")) throw err;
      });
    }
    return;
  }
  // Services without a selector have hand-managed Endpoints.
  if (!svc.spec.selector || Object.keys(svc.spec.selector).length === 0) return;
  const subsets = endpointSubsets(svc, pods);
  const labels = { ...(svc.metadata.labels ?? {}) };
  if (current && canonicalJson(current.subsets ?? []) === canonicalJson(subsets) && canonicalJson(current.metadata.labels ?? {}) === canonicalJson(labels)) return;
  const desired: Endpoints = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name, namespace, labels, resourceVersion: current?.metadata.resourceVersion },
    subsets,
  };
  if (!current) {
    try {
      await ctx.client.create(EndpointsResource, desired);
    } catch (err) {
      if (!isApiError(err, "AlreadyExists")) throw err;
      const live = await ctx.client.get<Endpoints>(EndpointsResource, namespace, name);
      await ctx.client.update(EndpointsResource, { ...desired, metadata: { ...desired.metadata, resourceVersion: live.metadata.resourceVersion } });
    }
    return;
  }
  await ctx.client.update(EndpointsResource, { ...current, metadata: { ...current.metadata, labels }, subsets });
}
