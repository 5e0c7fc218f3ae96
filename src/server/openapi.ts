// A minimal OpenAPI v3 surface, just enough for kubectl: it downloads
// /openapi/v3 before `apply`/`create` to learn whether the server validates
// fields itself (a PATCH operation per kind with a `fieldValidation` query
// parameter). When it finds that, it skips client-side schema validation
// (which would need full schemas skiff does not publish). /openapi/v2 stays 404.
import { registry } from "../api/registry.ts";
import { apiVersionOf, type ResourceType } from "../api/resource-type.ts";

function gvPath(gv: string): string {
  return gv.includes("/") ? `apis/${gv}` : `api/${gv}`;
}

export function openApiRoot(): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of new Set(registry.map(apiVersionOf))) paths[gvPath(gv)] = { serverRelativeURL: `/openapi/v3/${gvPath(gv)}?hash=skiff` };
  return { paths };
}

function objectPath(rt: ResourceType): string {
  const base = `/${gvPath(apiVersionOf(rt))}`;
  return rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}/{name}` : `${base}/${rt.plural}/{name}`;
}

/** The group-version document, or undefined when skiff serves no such group-version. */
export function openApiGroupVersion(path: string): Record<string, unknown> | undefined {
  const kinds = registry.filter((rt) => gvPath(apiVersionOf(rt)) === path);
  if (kinds.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const rt of kinds) {
    paths[objectPath(rt)] = {
      patch: {
        operationId: `patch${rt.kind}`,
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: rt.group, version: rt.version, kind: rt.kind },
        parameters: [
          { name: "fieldValidation", in: "query", schema: { type: "string", uniqueItems: true } },
          { name: "fieldManager", in: "query", schema: { type: "string", uniqueItems: true } },
          { name: "dryRun", in: "query", schema: { type: "string", uniqueItems: true } },
        ],
        responses: { "200": { description: "OK" } },
      },
    };
  }
  return { openapi: "3.0.0", info: { title: "skiff", version: "v1.31.0" }, paths, components: { schemas: {} } };
}
