// pods/log: the API server proxies to the kubelet of the pod's node,
//   GET https://{InternalIP}:{kubeletEndpoint.Port}/containerLogs/{ns}/{pod}/{container}
// presenting that node's own credential and verifying the kubelet's certificate
// against the cluster CA. The body streams through (follow=true stays open).
import { ApiError } from "../api/errors.ts";
import { keyFor, Nodes } from "../api/registry.ts";
import type { Node, Pod } from "../api/types.ts";
import type { Store } from "../store/store.ts";

export const defaultKubeletPort = 10250;

export interface LogProxyOptions {
  store: Store;
  caPem: string;
  credentialFor: (nodeName: string) => string | undefined;
}

const passThrough = ["follow", "tailLines", "previous", "timestamps", "sinceSeconds", "limitBytes"];

/** Which container to read: the named one, or the only one. */
export function pickContainer(pod: Pod, requested: string | null): string {
  const names = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
  if (requested) {
    if (!names.includes(requested)) throw ApiError.badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
    return requested;
  }
  if (pod.spec.containers.length === 1) return pod.spec.containers[0]!.name;
  throw ApiError.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${pod.spec.containers.map((c) => c.name).join(" ")}]`);
}

export function kubeletAddress(node: Node): { host: string; port: number } | undefined {
  const addrs = node.status?.addresses ?? [];
  const ip = addrs.find((a) => a.type === "InternalIP")?.address ?? addrs.find((a) => a.type === "ExternalIP")?.address;
  if (!ip) return undefined;
  return { host: ip.includes(":") ? `[${ip}]` : ip, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port || defaultKubeletPort };
}

export function podLogProxy(opts: LogProxyOptions) {
  return async (pod: Pod, query: URLSearchParams, signal: AbortSignal): Promise<Response> => {
    const podName = pod.metadata.name!;
    const nodeName = pod.spec.nodeName;
    if (!nodeName) throw ApiError.badRequest(`pod ${podName} is not scheduled to a node yet: no logs to show`);
    const container = pickContainer(pod, query.get("container"));
    const node = (await opts.store.get(keyFor(Nodes, undefined, nodeName))) as Node | undefined;
    if (!node) throw ApiError.notFound("nodes", nodeName);
    const addr = kubeletAddress(node);
    if (!addr) throw ApiError.unavailable(`node ${nodeName} reports no InternalIP: cannot reach its kubelet for logs`);
    const token = opts.credentialFor(nodeName);
    if (!token) throw ApiError.unavailable(`node ${nodeName} has not joined with a credential: cannot authenticate to its kubelet`);
    const q = new URLSearchParams();
    for (const k of passThrough) {
      const v = query.get(k);
      if (v !== null) q.set(k, v);
    }
    const ns = encodeURIComponent(pod.metadata.namespace ?? "default");
    const url = `https://${addr.host}:${addr.port}/containerLogs/${ns}/${encodeURIComponent(podName)}/${encodeURIComponent(container)}${q.size ? `?${q}` : ""}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, tls: { ca: opts.caPem }, signal, timeout: false } as RequestInit);
    } catch (err) {
      throw ApiError.unavailable(`cannot reach the kubelet of node ${nodeName} at ${addr.host}:${addr.port}: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => "");
      let message = text.trim();
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // plain text from the kubelet
      }
      throw new ApiError(res.status, res.status === 404 ? "NotFound" : res.status === 400 ? "BadRequest" : "InternalError", `kubelet on ${nodeName}: ${message || `HTTP ${res.status}`}`);
    }
    return new Response(res.body, { status: 200, headers: { "Content-Type": res.headers.get("content-type") ?? "text/plain; charset=utf-8" } });
  };
}
