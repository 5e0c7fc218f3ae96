// What a resource request is about, from its method, path and query — like the
// Kubernetes API server's RequestInfo. Pure, so routing is tested without a server.
import { ApiError } from "../api/errors.ts";
import { findResource } from "../api/registry.ts";
import type { ResourceType } from "../api/resource-type.ts";

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface RequestInfo {
  verb: Verb;
  rt: ResourceType;
  /** "" for core. */
  group: string;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const notFound = () => new ApiError(404, "NotFound", "the server could not find the requested resource");

/** Segments after "/api/v1" or "/apis/{group}/{version}", already URL-decoded. */
function locate(groupVersion: string, segs: string[]): { rt: ResourceType; namespace?: string; name?: string; subresource?: string } {
  const find = (plural: string | undefined) => (plural === undefined ? undefined : findResource(groupVersion, plural));
  if (segs[0] === "namespaces" && segs.length >= 3) {
    const nsRt = find(segs[2]);
    // "/namespaces/x/status" and "/namespaces/x/finalize" are namespace subresources unless a namespaced kind has that plural.
    if (nsRt && nsRt.namespaced) {
      if (segs.length > 5) throw notFound();
      return { rt: nsRt, namespace: segs[1], name: segs[3], subresource: segs[4] };
    }
  }
  const rt = find(segs[0]);
  if (!rt || segs.length > 3) throw notFound();
  if (rt.namespaced && segs.length > 1) throw notFound();
  return { rt, name: segs[1], subresource: segs[2] };
}

export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo | undefined {
  const all = pathname.split("/").filter((s) => s !== "");
  let group = "";
  let version: string;
  let rest: string[];
  if (all[0] === "api" && all.length >= 3) {
    version = all[1]!;
    rest = all.slice(2);
  } else if (all[0] === "apis" && all.length >= 4) {
    group = all[1]!;
    version = all[2]!;
    rest = all.slice(3);
  } else {
    return undefined;
  }
  let watch = query.get("watch") === "true" || query.get("watch") === "1";
  if (rest[0] === "watch") {
    watch = true;
    rest = rest.slice(1);
  }
  let segs: string[];
  try {
    segs = rest.map((s) => decodeURIComponent(s));
  } catch {
    throw ApiError.badRequest(`malformed path ${pathname}`);
  }
  if (segs.length === 0) throw notFound();
  const loc = locate(group ? `${group}/${version}` : version, segs);
  if (loc.subresource && !subresourceServed(loc.rt, loc.subresource)) throw notFound();
  if (loc.name === "") throw notFound();
  const verb = verbFor(method, loc.name !== undefined, watch);
  return { verb, group, version, ...loc };
}

function subresourceServed(rt: ResourceType, sub: string): boolean {
  if (rt.kind === "Namespace" && sub === "finalize") return true;
  return (rt.subresources as string[]).includes(sub);
}

function verbFor(method: string, named: boolean, watch: boolean): Verb {
  switch (method) {
    case "GET":
    case "HEAD":
      if (watch) return "watch";
      return named ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return named ? "delete" : "deletecollection";
    default:
      throw new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource: ${method}`);
  }
}
