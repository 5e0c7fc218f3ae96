// kubectl's resource arguments: "pods", "po web-1 web-2", "deploy/web svc/api",
// "pods,svc", "all". Pure: names in, registry entries out.
import { ApiError } from "../api/errors.ts";
import { resourceFor } from "../api/registry.ts";
import type { ResourceType } from "../api/resource-type.ts";

export interface ResourceTarget {
  rt: ResourceType;
  /** Empty: every object of the kind (subject to selectors). */
  names: string[];
}

/** What "all" means, as in kubectl: the workload kinds and services. */
export const allCategory = ["pods", "replicationcontrollers", "services", "daemonsets", "deployments", "replicasets", "jobs", "cronjobs"];

export function mustResource(name: string): ResourceType {
  const rt = resourceFor(name);
  if (!rt) throw ApiError.badRequest(`the server doesn't have a resource type "${name}"`);
  return rt;
}

function typesOf(arg: string): ResourceType[] {
  const out: ResourceType[] = [];
  for (const part of arg.split(",")) {
    if (!part) continue;
    const names = part.toLowerCase() === "all" ? allCategory : [part];
    for (const n of names) {
      const rt = mustResource(n);
      if (!out.includes(rt)) out.push(rt);
    }
  }
  return out;
}

export function parseResourceArgs(args: string[]): ResourceTarget[] {
  if (args.length === 0) throw ApiError.badRequest("you must specify the type of resource, e.g. pods, deployments or pod/NAME");
  const slashed = args.filter((a) => a.includes("/"));
  if (slashed.length > 0) {
    if (slashed.length !== args.length) throw ApiError.badRequest("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'skiff get resource/<resource_name>' instead of 'skiff get resource resource/<resource_name>'");
    const targets: ResourceTarget[] = [];
    for (const arg of args) {
      const slash = arg.indexOf("/");
      const type = arg.slice(0, slash);
      const name = arg.slice(slash + 1);
      if (!type || !name) throw ApiError.badRequest(`arguments in resource/name form must have a single resource and name: "${arg}"`);
      if (type.includes(",")) throw ApiError.badRequest(`arguments in resource/name form may not have more than one slash or a list of types: "${arg}"`);
      const rt = mustResource(type);
      const last = targets[targets.length - 1];
      if (last && last.rt === rt) last.names.push(name);
      else targets.push({ rt, names: [name] });
    }
    return targets;
  }
  const [types, ...names] = args;
  return typesOf(types).map((rt) => ({ rt, names: [...names] }));
}
