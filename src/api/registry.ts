// The resource registry: one entry per kind (see resource-type.ts). Routes,
// discovery, admission, watch, the CLI and the clients all look kinds up here.
import { ApiError } from "./errors.ts";
import { ConfigMaps } from "./kinds/configmap.ts";
import { ControllerRevisions } from "./kinds/controller-revision.ts";
import { CronJobs } from "./kinds/cronjob.ts";
import { DaemonSets } from "./kinds/daemonset.ts";
import { Deployments } from "./kinds/deployment.ts";
import { EndpointsResource } from "./kinds/endpoints.ts";
import { Events } from "./kinds/event.ts";
import { Jobs } from "./kinds/job.ts";
import { Leases } from "./kinds/lease.ts";
import { Namespaces } from "./kinds/namespace.ts";
import { Nodes } from "./kinds/node.ts";
import { Pods } from "./kinds/pod.ts";
import { ReplicaSets } from "./kinds/replicaset.ts";
import { ReplicationControllers } from "./kinds/replication-controller.ts";
import { Secrets } from "./kinds/secret.ts";
import { Services } from "./kinds/service.ts";
import { apiVersionOf, qualifiedResource, type ResourceType } from "./resource-type.ts";

export {
  ConfigMaps,
  ControllerRevisions,
  CronJobs,
  DaemonSets,
  Deployments,
  EndpointsResource,
  Events,
  Jobs,
  Leases,
  Namespaces,
  Nodes,
  Pods,
  ReplicaSets,
  ReplicationControllers,
  Secrets,
  Services,
};

/** Every kind skiff serves, in discovery order. */
export const registry: ResourceType[] = [
  Pods,
  Nodes,
  Namespaces,
  Services,
  EndpointsResource,
  ConfigMaps,
  Secrets,
  Events,
  ReplicationControllers,
  Leases,
  Deployments,
  ReplicaSets,
  DaemonSets,
  ControllerRevisions,
  Jobs,
  CronJobs,
];

/** Group/version pairs served, "v1" first, then "group/version" in registry order. */
export function groupVersions(): string[] {
  return [...new Set(registry.map(apiVersionOf))];
}

/**
 * The kind served at a plural under "v1", "apps/v1" or just "apps" (any version).
 * `groupVersionOrGroup` "" or "v1" means the core group.
 */
export function findResource(groupVersionOrGroup: string, plural: string): ResourceType | undefined {
  const gv = groupVersionOrGroup;
  return registry.find((rt) => {
    if (rt.plural !== plural) return false;
    if (gv === "" || gv === "core" || gv === "v1") return rt.group === "" && (gv !== "v1" || rt.version === "v1");
    if (gv.includes("/")) return apiVersionOf(rt) === gv;
    return rt.group === gv;
  });
}

/**
 * What the CLI accepts for a resource: plural, singular, short name, Kind
 * ("Deployment"), or qualified with its group ("deployments.apps",
 * "deploy.apps", "deployments.v1.apps"). Case-insensitive.
 */
export function resourceFor(nameOrShortOrKind: string): ResourceType | undefined {
  const s = nameOrShortOrKind.trim().toLowerCase();
  if (!s) return undefined;
  const direct = registry.find((rt) => namesOf(rt).includes(s));
  if (direct) return direct;
  const dot = s.indexOf(".");
  if (dot < 0) return undefined;
  const name = s.slice(0, dot);
  let group = s.slice(dot + 1);
  let version: string | undefined;
  const vm = /^(v\d+(?:(?:alpha|beta)\d+)?)\.(.+)$/.exec(group);
  if (vm) {
    version = vm[1];
    group = vm[2];
  }
  if (group === "core") group = "";
  return registry.find((rt) => rt.group === group && (!version || rt.version === version) && namesOf(rt).includes(name));
}

function namesOf(rt: ResourceType): string[] {
  return [rt.plural, rt.singular, rt.kind.toLowerCase(), ...rt.shortNames];
}

/** The kind of an object's apiVersion/kind, e.g. ("apps/v1", "Deployment"). */
export function resourceForKind(apiVersion: string, kind: string): ResourceType | undefined {
  return registry.find((rt) => rt.kind === kind && apiVersionOf(rt) === apiVersion);
}

/** resourceForKind, or ApiError.badRequest naming what is not served. */
export function mustResourceForKind(apiVersion: string | undefined, kind: string | undefined): ResourceType {
  if (!apiVersion || !kind) throw ApiError.badRequest("object has no apiVersion or kind");
  const rt = resourceForKind(apiVersion, kind);
  if (!rt) throw ApiError.badRequest(`no matches for kind "${kind}" in version "${apiVersion}"`);
  return rt;
}

// ---- store keys ---------------------------------------------------------------------

type KeyParts = Pick<ResourceType, "group" | "plural" | "namespaced">;

/** "/core/pods/default/web-1", "/apps/deployments/default/web", "/core/nodes/n1". */
export function keyFor(rt: KeyParts, namespace: string | undefined, name: string): string {
  return `${prefixFor(rt, namespace)}${name}`;
}

/** "/core/pods/default/", or "/core/pods/" across namespaces (and for cluster-scoped kinds). */
export function prefixFor(rt: KeyParts, namespace?: string): string {
  const base = `/${rt.group || "core"}/${rt.plural}/`;
  return rt.namespaced && namespace ? `${base}${namespace}/` : base;
}

export interface ParsedKey {
  /** "pods" or "deployments.apps": how messages name the resource. */
  resource: string;
  namespace?: string;
  name: string;
}

/** Inverse of keyFor, for the store's NotFound/AlreadyExists/Conflict messages. */
export function parseKey(key: string): ParsedKey {
  const parts = key.split("/");
  // ["", group, plural, ns?, name]
  const group = parts[1] === "core" ? "" : parts[1] ?? "";
  const plural = parts[2] ?? "";
  const resource = qualifiedResource({ group, plural });
  if (parts.length >= 5) return { resource, namespace: parts[3], name: parts.slice(4).join("/") };
  return { resource, name: parts[3] ?? "" };
}
