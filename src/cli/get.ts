// skiff get: tables like kubectl's, -o json|yaml|name|wide, -w to follow changes.
import type { Argv, CommandModule } from "yargs";
import { ApiError } from "../api/errors.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { KubeObject } from "../api/types.ts";
import type { ApiClient } from "../client/api-client.ts";
import {
  type ConnectionArgs,
  type NamespaceArgs,
  type SelectorArgs,
  clientFromArgs,
  err,
  formatError,
  namespaceFrom,
  out,
  run,
  withConnection,
  withFilenames,
  withNamespace,
  withSelectors,
} from "./args.ts";
import { readManifests, targetNamespace } from "./manifests.ts";
import { parseCustomColumns, renderCustomColumns } from "./custom-columns.ts";
import { renderJsonPath, sortByPath } from "./jsonpath.ts";
import { type OutputFormat, asList, objectName, outputTemplate, parseOutput, serialize, withTypeMeta } from "./output.ts";
import { parseResourceArgs } from "./resource-args.ts";
import { columnWidths, formatRow, renderTable, tableHeader, tableRow, type TableOptions } from "./table.ts";

export interface GetArgs extends ConnectionArgs, NamespaceArgs, SelectorArgs {
  resources?: string[];
  filename?: string[];
  output?: string;
  watch?: boolean;
  "watch-only"?: boolean;
  "output-watch-events"?: boolean;
  raw?: string;
  "no-headers"?: boolean;
  "show-labels"?: boolean;
  "sort-by"?: string;
}

/** What to fetch: every object of a kind in a namespace, or the named ones. */
export interface GetTarget {
  rt: ResourceType;
  names: string[];
  /** undefined: all namespaces (or a cluster-scoped kind). */
  namespace?: string;
}

export interface Fetched {
  rt: ResourceType;
  objs: KubeObject[];
  resourceVersion?: string;
}

export function builder<T>(y: Argv<T>) {
  return withSelectors(withNamespace(withFilenames(withConnection(y))))
    .positional("resources", { type: "string", array: true, describe: "TYPE[,TYPE...] [NAME...] or TYPE/NAME ..." })
    .option("output", { alias: "o", type: "string", describe: "Output format: wide, json, yaml, name, jsonpath=TEMPLATE or custom-columns=HEADER:.path,..." })
    .option("watch", { alias: "w", type: "boolean", describe: "After listing, watch for changes" })
    .option("watch-only", { type: "boolean", describe: "Watch for changes without listing first" })
    .option("output-watch-events", { type: "boolean", describe: "With --watch, print the event type (ADDED, MODIFIED, DELETED) too" })
    .option("raw", { type: "string", describe: "GET this API path and print the body as it is" })
    .option("no-headers", { type: "boolean", describe: "Print tables without their header" })
    .option("show-labels", { type: "boolean", describe: "Add a LABELS column" })
    .option("sort-by", { type: "string", describe: "Sort by the value at a JSONPath, e.g. .metadata.creationTimestamp" });
}

export const getCommand: CommandModule<object, GetArgs> = {
  command: "get [resources..]",
  describe: "Display one or many resources",
  builder: (y) => builder(y) as unknown as Argv<GetArgs>,
  handler: run(get),
};

export async function targetsFromArgs(argv: GetArgs): Promise<GetTarget[]> {
  const namespace = argv["all-namespaces"] ? undefined : namespaceFrom(argv);
  if (argv.filename?.length) {
    if (argv.resources?.length) throw ApiError.badRequest("resources may not be named both as arguments and with -f");
    const manifests = await readManifests(argv.filename);
    return manifests.map((m) => ({ rt: m.rt, names: [m.obj.metadata.name ?? ""], namespace: targetNamespace(m, argv.namespace) }));
  }
  return parseResourceArgs(argv.resources ?? []).map(({ rt, names }) => ({ rt, names, namespace: rt.namespaced ? namespace : undefined }));
}

async function get(argv: GetArgs): Promise<number> {
  if (argv.raw !== undefined) return await getRaw(clientFromArgs(argv), argv.raw);
  const format = parseOutput(argv.output);
  const template = outputTemplate(argv.output);
  // Reject a bad template or sort key before any request.
  if (format === "jsonpath") renderJsonPath(template, {});
  if (format === "custom-columns") parseCustomColumns(template);
  if (argv["sort-by"]) sortByPath([], argv["sort-by"]);
  const targets = await targetsFromArgs(argv);
  if (targets.some((t) => t.names.length > 0) && (argv.selector || argv["field-selector"])) {
    // kubectl refuses this too: a name and a selector contradict each other.
    throw ApiError.badRequest("name cannot be provided when a selector is specified");
  }
  const client = clientFromArgs(argv);
  if (argv.watch || argv["watch-only"]) {
    if (targets.length !== 1 || targets[0].names.length > 1) throw ApiError.badRequest("watch is only supported on individual resources and resource collections, but multiple resources were found");
    return await watch(client, targets[0], argv, format);
  }

  let failed = false;
  const fetched: Fetched[] = [];
  for (const t of targets) {
    if (t.names.length === 0) {
      const list = await client.list(t.rt, t.namespace, { labelSelector: argv.selector, fieldSelector: argv["field-selector"] });
      fetched.push({ rt: t.rt, objs: list.items.map((o) => withTypeMeta(t.rt, o)), resourceVersion: list.metadata.resourceVersion });
      continue;
    }
    const objs: KubeObject[] = [];
    for (const name of t.names) {
      try {
        objs.push(withTypeMeta(t.rt, await client.get(t.rt, t.namespace, name)));
      } catch (e) {
        if (!(e instanceof ApiError) || e.reason !== "NotFound") throw e;
        err(formatError(e));
        failed = true;
      }
    }
    fetched.push({ rt: t.rt, objs });
  }

  if (argv["sort-by"]) for (const f of fetched) f.objs = sortByPath(f.objs, argv["sort-by"]);
  const single = targets.length === 1 && targets[0].names.length === 1;
  const text = render(fetched, format, {
    single,
    allNamespaces: Boolean(argv["all-namespaces"]),
    noHeaders: argv["no-headers"],
    showLabels: argv["show-labels"],
    template,
  });
  if (format === "jsonpath") process.stdout.write(text);
  else if (text) out(text);
  else if (!failed && format !== "json" && format !== "yaml") err(noResourcesMessage(targets, argv));
  return failed ? 1 : 0;
}

export function noResourcesMessage(targets: GetTarget[], argv: NamespaceArgs): string {
  const namespaced = targets.some((t) => t.rt.namespaced);
  if (argv["all-namespaces"] || !namespaced) return "No resources found";
  return `No resources found in ${namespaceFrom(argv)} namespace.`;
}

export interface RenderOptions {
  /** One named object: -o json/yaml print it alone, not as a List. */
  single: boolean;
  allNamespaces: boolean;
  noHeaders?: boolean;
  showLabels?: boolean;
  now?: number;
  /** For -o jsonpath. */
  template?: string;
}

/** The text for fetched objects in the chosen format ("" when there is nothing to show as a table or names). */
export function render(fetched: Fetched[], format: OutputFormat, opts: RenderOptions): string {
  const all = fetched.flatMap((f) => f.objs);
  if (format === "json" || format === "yaml" || format === "jsonpath") {
    const rv = fetched.length === 1 ? fetched[0].resourceVersion : undefined;
    const value = opts.single && all.length === 1 ? all[0] : asList(all, rv);
    return format === "jsonpath" ? renderJsonPath(opts.template ?? "", value) : serialize(value, format);
  }
  if (format === "name") return fetched.flatMap((f) => f.objs.map((o) => objectName(f.rt, o) + "\n")).join("");
  if (format === "custom-columns") return all.length ? renderCustomColumns(parseCustomColumns(opts.template ?? ""), all, opts.noHeaders) : "";
  const nonEmpty = fetched.filter((f) => f.objs.length > 0);
  const withKind = nonEmpty.length > 1 || fetched.length > 1;
  return nonEmpty
    .map((f) =>
      renderTable(f.rt, f.objs, {
        wide: format === "wide",
        withNamespace: opts.allNamespaces && f.rt.namespaced,
        withKind,
        showLabels: opts.showLabels,
        noHeaders: opts.noHeaders,
        now: opts.now,
      }),
    )
    .join("\n");
}

async function getRaw(client: ApiClient, path: string): Promise<number> {
  if (!path.startsWith("/")) throw ApiError.badRequest(`--raw takes an absolute API path like /api/v1/pods, not "${path}"`);
  const res = await client.request("GET", path);
  out(await res.text());
  return 0;
}

function combineFieldSelectors(...parts: (string | undefined)[]): string | undefined {
  const s = parts.filter(Boolean).join(",");
  return s || undefined;
}

/** -w: print what there is, then one row (or object) per change until interrupted or the watch fails. */
async function watch(client: ApiClient, target: GetTarget, argv: GetArgs, format: OutputFormat): Promise<number> {
  const { rt, namespace } = target;
  const fieldSelector = combineFieldSelectors(target.names[0] ? `metadata.name=${target.names[0]}` : undefined, argv["field-selector"]);
  const list = await client.list(rt, namespace, { labelSelector: argv.selector, fieldSelector });
  const tableOpts: TableOptions = { wide: format === "wide", withNamespace: Boolean(argv["all-namespaces"]) && rt.namespaced, showLabels: argv["show-labels"] };
  const withEvents = Boolean(argv["output-watch-events"]);
  const header = [...(withEvents ? ["EVENT"] : []), ...tableHeader(rt, tableOpts)];
  let widths: number[] = [];
  let headerPrinted = Boolean(argv["no-headers"]);

  const print = (obj: KubeObject, eventType: string) => {
    obj = withTypeMeta(rt, obj);
    if (format === "json" || format === "yaml") {
      const value = withEvents ? { type: eventType, object: obj } : obj;
      return out(format === "json" ? JSON.stringify(value, null, 4) : `---\n${serialize(value, "yaml")}`);
    }
    if (format === "name") return out((withEvents ? `${eventType} ` : "") + objectName(rt, obj));
    if (format === "jsonpath") return void process.stdout.write(renderJsonPath(outputTemplate(argv.output), obj));
    if (format === "custom-columns") {
      const columns = parseCustomColumns(outputTemplate(argv.output));
      const text = renderCustomColumns(columns, [obj], headerPrinted);
      headerPrinted = true;
      return void process.stdout.write(text);
    }
    const row = [...(withEvents ? [eventType] : []), ...tableRow(rt, obj, { ...tableOpts, now: Date.now() })];
    if (!headerPrinted) {
      widths = columnWidths([header, row, ...(withEvents ? [["MODIFIED"]] : [])]);
      out(formatRow(header, widths));
      headerPrinted = true;
    }
    widths = columnWidths([widths.map((w) => " ".repeat(w)), row]);
    out(formatRow(row, widths));
  };

  if (!argv["watch-only"]) {
    const rows = list.items.map((o) => [...(withEvents ? ["ADDED"] : []), ...tableRow(rt, withTypeMeta(rt, o), tableOpts)]);
    widths = columnWidths([header, ...rows, ...(withEvents ? [["MODIFIED"]] : [])]);
    if (list.items.length === 0 && format !== "json" && format !== "yaml" && format !== "jsonpath") err(noResourcesMessage([target], argv));
    for (const o of list.items) print(o, "ADDED");
  }

  let resourceVersion = list.metadata.resourceVersion;
  for (;;) {
    const stream = client.watch(rt, namespace, { resourceVersion, labelSelector: argv.selector, fieldSelector, allowWatchBookmarks: true });
    for await (const ev of stream) {
      resourceVersion = ev.object?.metadata?.resourceVersion ?? resourceVersion;
      if (ev.type === "BOOKMARK") continue;
      print(ev.object, ev.type);
    }
  }
}
