// skiff api-resources / api-versions: what the server serves, read from its discovery documents.
import type { Argv, CommandModule } from "yargs";
import type { ApiClient } from "../client/api-client.ts";
import { type ConnectionArgs, clientFromArgs, out, run, withConnection } from "./args.ts";
import { formatTable } from "./table.ts";

interface APIResource {
  name: string;
  namespaced: boolean;
  kind: string;
  shortNames?: string[];
  verbs?: string[];
}

export interface DiscoveredResource extends APIResource {
  groupVersion: string;
}

async function getJson<T>(client: ApiClient, path: string): Promise<T> {
  return (await (await client.request("GET", path)).json()) as T;
}

/** Every group/version the server serves, core first. */
export async function discoverGroupVersions(client: ApiClient): Promise<string[]> {
  const core = await getJson<{ versions: string[] }>(client, "/api");
  const groups = await getJson<{ groups: { versions: { groupVersion: string }[] }[] }>(client, "/apis");
  return [...core.versions, ...groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))];
}

export async function discoverResources(client: ApiClient): Promise<DiscoveredResource[]> {
  const out: DiscoveredResource[] = [];
  for (const gv of await discoverGroupVersions(client)) {
    const path = gv.includes("/") ? `/apis/${gv}` : `/api/${gv}`;
    const list = await getJson<{ resources: APIResource[] }>(client, path);
    // "pods/status" and friends are subresources, not resources.
    for (const r of list.resources) if (!r.name.includes("/")) out.push({ ...r, groupVersion: gv });
  }
  return out;
}

export function resourcesTable(resources: DiscoveredResource[], opts: { wide?: boolean; noHeaders?: boolean } = {}): string {
  const rows = [...resources]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((r) => {
      const row = [r.name, (r.shortNames ?? []).join(","), r.groupVersion, String(r.namespaced), r.kind];
      if (opts.wide) row.push(`[${(r.verbs ?? []).join(" ")}]`);
      return row;
    });
  if (!opts.noHeaders) rows.unshift(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", ...(opts.wide ? ["VERBS"] : [])]);
  return formatTable(rows);
}

interface ApiResourcesArgs extends ConnectionArgs {
  namespaced?: boolean;
  output?: string;
  "no-headers"?: boolean;
}

export const apiResourcesCommand: CommandModule<object, ApiResourcesArgs> = {
  command: "api-resources",
  describe: "List the resource types the server serves",
  builder: (y) =>
    withConnection(y)
      .option("namespaced", { type: "boolean", describe: "Only namespaced (true) or only cluster-scoped (false) types" })
      .option("output", { alias: "o", type: "string", describe: "wide (adds verbs) or name" })
      .option("no-headers", { type: "boolean" }) as unknown as Argv<ApiResourcesArgs>,
  handler: run(async (argv: ApiResourcesArgs) => {
    const resources = (await discoverResources(clientFromArgs(argv))).filter((r) => argv.namespaced === undefined || r.namespaced === argv.namespaced);
    if (argv.output === "name") {
      out(resources.map((r) => (r.groupVersion.includes("/") ? `${r.name}.${r.groupVersion.split("/")[0]}` : r.name)).sort().join("\n"));
      return 0;
    }
    out(resourcesTable(resources, { wide: argv.output === "wide", noHeaders: argv["no-headers"] }));
    return 0;
  }),
};

export const apiVersionsCommand: CommandModule<object, ConnectionArgs> = {
  command: "api-versions",
  describe: "List the group/versions the server serves",
  builder: (y) => withConnection(y) as unknown as Argv<ConnectionArgs>,
  handler: run(async (argv: ConnectionArgs) => {
    out([...(await discoverGroupVersions(clientFromArgs(argv)))].sort().join("\n"));
    return 0;
  }),
};
