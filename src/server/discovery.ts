// Discovery documents: what kubectl and client libraries read to learn which
// kinds exist, where, and with which verbs. Built from the registry.
import { groupVersions, registry } from "../api/registry.ts";
import { apiVersionOf, type ResourceType } from "../api/resource-type.ts";

export const kubernetesVersion = { major: "1", minor: "31", gitVersion: "v1.31.0-skiff" };

export function versionInfo(skiffVersion: string): Record<string, string> {
  return {
    ...kubernetesVersion,
    gitCommit: skiffVersion,
    gitTreeState: "clean",
    buildDate: "",
    goVersion: `bun${Bun.version}`,
    compiler: "bun",
    platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
  };
}

/** What `kubectl get all` shows, as in Kubernetes. */
const allCategory = new Set(["pods", "services", "replicationcontrollers", "deployments.apps", "replicasets.apps", "daemonsets.apps", "jobs.batch", "cronjobs.batch"]);

const objectVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  group?: string;
  version?: string;
}

function subresourceEntry(rt: ResourceType, sub: string): APIResource {
  const base = { name: `${rt.plural}/${sub}`, singularName: "", namespaced: rt.namespaced };
  switch (sub) {
    case "scale":
      return { ...base, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] };
    case "binding":
      return { ...base, kind: "Binding", verbs: ["create"] };
    case "log":
      return { ...base, kind: rt.kind, verbs: ["get"] };
    case "finalize":
      return { ...base, kind: rt.kind, verbs: ["update"] };
    default:
      return { ...base, kind: rt.kind, verbs: ["get", "patch", "update"] };
  }
}

export function apiResourceList(groupVersion: string): Record<string, unknown> | undefined {
  const kinds = registry.filter((rt) => apiVersionOf(rt) === groupVersion);
  if (kinds.length === 0) return undefined;
  const resources: APIResource[] = [];
  for (const rt of kinds) {
    const qualified = rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
    resources.push({
      name: rt.plural,
      singularName: rt.singular,
      namespaced: rt.namespaced,
      kind: rt.kind,
      verbs: objectVerbs,
      shortNames: rt.shortNames.length ? rt.shortNames : undefined,
      categories: allCategory.has(qualified) ? ["all"] : undefined,
    });
    const subs: string[] = [...rt.subresources];
    if (rt.kind === "Namespace") subs.push("finalize");
    for (const sub of subs) resources.push(subresourceEntry(rt, sub));
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function apiGroup(name: string): Record<string, unknown> {
  const versions = groupVersions()
    .filter((gv) => gv.startsWith(`${name}/`))
    .map((gv) => ({ groupVersion: gv, version: gv.slice(name.length + 1) }));
  return { name, versions, preferredVersion: versions[0] };
}

function groupNames(): string[] {
  return [...new Set(registry.map((rt) => rt.group).filter((g) => g !== ""))];
}

export function apiGroupList(): Record<string, unknown> {
  return { kind: "APIGroupList", apiVersion: "v1", groups: groupNames().map(apiGroup) };
}

export function apiGroupDoc(name: string): Record<string, unknown> | undefined {
  if (!groupNames().includes(name)) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...apiGroup(name) };
}
