// skiff wait: block until objects meet a condition, are deleted, or a JSONPath
// value matches — kubectl wait, for scripts and tests.
import type { Argv, CommandModule } from "yargs";
import { parseDuration } from "../api/duration.ts";
import { ApiError, isApiError } from "../api/errors.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { Condition, KubeObject } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import {
  type ConnectionArgs,
  type NamespaceArgs,
  type SelectorArgs,
  clientFromArgs,
  out,
  run,
  withConnection,
  withFilenames,
  withNamespace,
  withSelectors,
} from "./args.ts";
import { type GetArgs, targetsFromArgs } from "./get.ts";
import { renderJsonPath } from "./jsonpath.ts";
import { kindPrefix } from "./table.ts";

export interface WaitArgs extends ConnectionArgs, NamespaceArgs, SelectorArgs {
  resources?: string[];
  filename?: string[];
  for?: string;
  timeout?: string;
  all?: boolean;
}

export type WaitFor =
  | { type: "condition"; condition: string; status: string }
  | { type: "delete" }
  | { type: "jsonpath"; template: string; value: string };

export const waitCommand: CommandModule<object, WaitArgs> = {
  command: "wait [resources..]",
  describe: "Wait for a condition on resources: --for=condition=Ready, --for=delete, --for=jsonpath='{.status.phase}'=Running",
  builder: (y) =>
    withSelectors(withNamespace(withFilenames(withConnection(y))))
      .positional("resources", { type: "string", array: true, describe: "TYPE NAME... or TYPE/NAME..." })
      .option("for", { type: "string", describe: "condition=NAME[=STATUS], delete, or jsonpath='{PATH}'=VALUE" })
      .option("timeout", { type: "string", default: "30s", describe: "How long to wait, e.g. 30s, 5m" })
      .option("all", { type: "boolean", describe: "Every object of the type in the namespace" })
      .demandOption("for", "wait needs --for=condition=NAME, --for=delete or --for=jsonpath='{PATH}'=VALUE") as unknown as Argv<WaitArgs>,
  handler: run(wait),
};

export function parseWaitFor(s: string): WaitFor {
  if (s === "delete") return { type: "delete" };
  if (s.startsWith("condition=")) {
    const [condition, status = "True"] = s.slice("condition=".length).split("=");
    if (!condition) throw ApiError.badRequest(`--for=condition= needs a condition name, e.g. condition=Ready`);
    return { type: "condition", condition, status };
  }
  if (s.startsWith("jsonpath=")) {
    const rest = s.slice("jsonpath=".length);
    const close = rest.lastIndexOf("}");
    if (!rest.startsWith("{") || close < 0 || rest[close + 1] !== "=") throw ApiError.badRequest(`--for=jsonpath needs the form jsonpath='{.status.phase}'=Running`);
    const template = rest.slice(0, close + 1);
    renderJsonPath(template, {});
    return { type: "jsonpath", template, value: rest.slice(close + 2) };
  }
  throw ApiError.badRequest(`unrecognized --for "${s}": use condition=NAME[=STATUS], delete, or jsonpath='{PATH}'=VALUE`);
}

/** Whether `obj` (undefined: it does not exist) satisfies `want`. */
export function conditionMet(obj: KubeObject | undefined, want: WaitFor): boolean {
  if (want.type === "delete") return obj === undefined;
  if (!obj) return false;
  if (want.type === "jsonpath") return renderJsonPath(want.template, obj) === want.value;
  const conditions = (obj.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  const c = conditions.find((x) => x.type.toLowerCase() === want.condition.toLowerCase());
  return c !== undefined && c.status.toLowerCase() === want.status.toLowerCase();
}

interface Waitee {
  rt: ResourceType;
  namespace?: string;
  name: string;
}

async function current(client: Client, w: Waitee): Promise<KubeObject | undefined> {
  try {
    return await client.get(w.rt, w.namespace, w.name);
  } catch (e) {
    if (isApiError(e, "NotFound")) return undefined;
    throw e;
  }
}

async function wait(argv: WaitArgs): Promise<number> {
  const want = parseWaitFor(argv.for ?? "");
  const timeoutMs = parseDuration(argv.timeout ?? "30s");
  const targets = await targetsFromArgs({ ...argv } as GetArgs);
  const client = clientFromArgs(argv);
  const waitees: Waitee[] = [];
  for (const t of targets) {
    if (t.names.length > 0) {
      for (const name of t.names) waitees.push({ rt: t.rt, namespace: t.namespace, name });
      continue;
    }
    if (!argv.all && !argv.selector && !argv["field-selector"]) throw ApiError.badRequest("resource(s) were provided, but no name was specified; name them, or use --all or -l");
    const list = await client.list(t.rt, t.namespace, { labelSelector: argv.selector, fieldSelector: argv["field-selector"] });
    for (const o of list.items) waitees.push({ rt: t.rt, namespace: o.metadata.namespace, name: o.metadata.name ?? "" });
  }
  if (waitees.length === 0) throw ApiError.badRequest("no matching resources found");

  const deadline = Date.now() + timeoutMs;
  for (const w of waitees) {
    let delay = 50;
    for (;;) {
      if (conditionMet(await current(client, w), want)) break;
      if (Date.now() >= deadline) throw ApiError.badRequest(`timed out waiting for the condition on ${w.rt.plural}/${w.name}`);
      await Bun.sleep(Math.max(0, Math.min(delay, deadline - Date.now())));
      delay = Math.min(delay * 2, 500);
    }
    out(`${kindPrefix(w.rt)}/${w.name} condition met`);
  }
  return 0;
}
