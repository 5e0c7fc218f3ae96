// Who is calling, and may they do this. Two kinds of identity: the admin
// (the admin kubeconfig's token; the in-process components use it too) and
// nodes ("system:node:<name>", group "system:nodes"), whose credential is
// issued at join time. The node rules follow the Kubernetes Node authorizer,
// simplified: a kubelet reads what it needs and writes only its own Node, its
// own Lease, the status of pods bound to it, and Events.
import { ApiError } from "../api/errors.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { Verb } from "./request-info.ts";

export interface Identity {
  user: string;
  groups: string[];
  /** Set for node identities. */
  nodeName?: string;
}

export const adminIdentity: Identity = { user: "system:admin", groups: ["system:masters", "system:authenticated"] };

export function nodeIdentity(nodeName: string): Identity {
  return { user: `system:node:${nodeName}`, groups: ["system:nodes", "system:authenticated"], nodeName };
}

export interface Attributes {
  verb: Verb;
  rt: Pick<ResourceType, "group" | "plural" | "namespaced">;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** For pods: spec.nodeName of the stored pod the request would change. */
  boundNode?: string;
}

const readVerbs = new Set<Verb>(["get", "list", "watch"]);
const kubeletReads = new Set(["pods", "nodes", "services", "endpoints", "configmaps", "secrets", "namespaces", "leases", "events"]);

export function isAllowed(id: Identity, a: Attributes): boolean {
  if (id.groups.includes("system:masters")) return true;
  if (id.nodeName === undefined) return false;
  return nodeMay(id.nodeName, a);
}

function nodeMay(node: string, a: Attributes): boolean {
  const { verb, rt, name, subresource } = a;
  const resource = rt.group === "" ? rt.plural : `${rt.plural}.${rt.group}`;
  if (readVerbs.has(verb) && kubeletReads.has(rt.plural) && subresource !== "log") return true;
  switch (resource) {
    case "nodes":
      return ["create", "update", "patch"].includes(verb) && name === node && (subresource === undefined || subresource === "status");
    case "leases.coordination.k8s.io":
      return ["create", "update", "patch"].includes(verb) && a.namespace === "kube-node-lease" && name === node && subresource === undefined;
    case "pods":
      if (a.boundNode !== node) return false;
      if (verb === "delete") return subresource === undefined;
      return (verb === "update" || verb === "patch") && subresource === "status";
    case "events":
      return verb === "create" || verb === "update" || verb === "patch";
    default:
      return false;
  }
}

/** 403 phrased like Kubernetes' RBAC denials. */
export function forbidden(id: Identity, a: Attributes): ApiError {
  const resource = a.subresource ? `${a.rt.plural}/${a.subresource}` : a.rt.plural;
  const qualified = a.rt.group ? `${a.rt.plural}.${a.rt.group}` : a.rt.plural;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return ApiError.forbidden(`${subject} is forbidden: User "${id.user}" cannot ${a.verb} resource "${resource}" in API group "${a.rt.group}" ${scope}`);
}

export function authorize(id: Identity, a: Attributes): void {
  if (!isAllowed(id, a)) throw forbidden(id, a);
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}
