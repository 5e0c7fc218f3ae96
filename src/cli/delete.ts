// skiff delete: by name, TYPE/NAME, -f, -l or --all; --grace-period, --cascade, --wait.
import type { Argv, CommandModule } from "yargs";
import { ApiError, isApiError } from "../api/errors.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { DeleteOptions } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import {
  type ConnectionArgs,
  type DryRunArgs,
  type NamespaceArgs,
  type SelectorArgs,
  clientFromArgs,
  dryRunFrom,
  dryRunSuffix,
  err,
  formatError,
  isUnreachable,
  out,
  run,
  withConnection,
  withDryRun,
  withFilenames,
  withNamespace,
  withSelectors,
} from "./args.ts";
import { type GetTarget, targetsFromArgs } from "./get.ts";
import { kindPrefix } from "./table.ts";

export interface DeleteArgs extends ConnectionArgs, NamespaceArgs, SelectorArgs, DryRunArgs {
  resources?: string[];
  filename?: string[];
  all?: boolean;
  "grace-period"?: number;
  now?: boolean;
  cascade?: string;
  wait?: boolean;
  timeout?: number;
  "ignore-not-found"?: boolean;
  output?: string;
}

export const deleteCommand: CommandModule<object, DeleteArgs> = {
  command: "delete [resources..]",
  describe: "Delete resources by name, TYPE/NAME, -f, -l or --all",
  builder: (y) =>
    withDryRun(withSelectors(withNamespace(withFilenames(withConnection(y)))))
      .positional("resources", { type: "string", array: true, describe: "TYPE[,TYPE...] [NAME...] or TYPE/NAME ..." })
      .option("all", { type: "boolean", describe: "Delete every object of the given types in the namespace" })
      .option("grace-period", { type: "number", describe: "Seconds a pod gets to stop (0: immediately; default: the pod's own)" })
      .option("now", { type: "boolean", describe: "Same as --grace-period=1" })
      .option("cascade", { type: "string", describe: "background (default), foreground or orphan: what happens to dependents" })
      .option("wait", { type: "boolean", default: false, describe: "Wait until the objects are gone" })
      .option("timeout", { type: "number", default: 60, describe: "Seconds to --wait before giving up" })
      .option("ignore-not-found", { type: "boolean", describe: "A missing object is not an error" })
      .option("output", { alias: "o", type: "string", describe: "name: print only kind/name" }) as unknown as Argv<DeleteArgs>,
  handler: run(del),
};

export function propagationPolicy(cascade: string | undefined): DeleteOptions["propagationPolicy"] {
  switch ((cascade ?? "background").toLowerCase()) {
    case "background":
    case "true":
      return "Background";
    case "foreground":
      return "Foreground";
    case "orphan":
    case "false":
      return "Orphan";
    default:
      throw ApiError.badRequest(`invalid --cascade "${cascade}": must be background, foreground or orphan`);
  }
}

export function deleteOptions(argv: DeleteArgs): DeleteOptions {
  const opts: DeleteOptions = { propagationPolicy: propagationPolicy(argv.cascade) };
  if (argv.now) opts.gracePeriodSeconds = 1;
  if (argv["grace-period"] !== undefined && argv["grace-period"] >= 0) opts.gracePeriodSeconds = argv["grace-period"];
  return opts;
}

interface Victim {
  rt: ResourceType;
  namespace?: string;
  name: string;
}

async function victimsOf(client: Client, targets: GetTarget[], argv: DeleteArgs): Promise<Victim[]> {
  const victims: Victim[] = [];
  for (const t of targets) {
    if (t.names.length > 0) {
      for (const name of t.names) victims.push({ rt: t.rt, namespace: t.namespace, name });
      continue;
    }
    const list = await client.list(t.rt, t.namespace, { labelSelector: argv.selector, fieldSelector: argv["field-selector"] });
    for (const o of list.items) victims.push({ rt: t.rt, namespace: o.metadata.namespace, name: o.metadata.name ?? "" });
  }
  return victims;
}

async function del(argv: DeleteArgs): Promise<number> {
  const targets = await targetsFromArgs(argv);
  const named = targets.some((t) => t.names.length > 0);
  const selected = Boolean(argv.selector || argv["field-selector"]);
  if (named && (selected || argv.all)) throw ApiError.badRequest("names cannot be combined with --all or a selector");
  // Deleting a whole collection by accident is the one mistake kubectl guards against too.
  if (!named && !selected && !argv.all) throw ApiError.badRequest(`resource(s) were provided, but no name was specified; use --all to delete every ${targets.map((t) => t.rt.plural).join(",")} in the namespace`);
  const opts = deleteOptions(argv);
  const client = clientFromArgs(argv);
  const victims = await victimsOf(client, targets, argv);
  if (victims.length === 0 && !named) {
    err("No resources found");
    return 0;
  }
  let failed = false;
  const deleted: Victim[] = [];
  const mode = dryRunFrom(argv);
  for (const v of victims) {
    try {
      if (mode === "client") await client.get(v.rt, v.namespace, v.name);
      else await client.delete(v.rt, v.namespace, v.name, opts);
      if (mode === "none") deleted.push(v);
      out(argv.output === "name" ? `${kindPrefix(v.rt)}/${v.name}` : `${kindPrefix(v.rt)} "${v.name}" deleted${dryRunSuffix(mode)}`);
    } catch (e) {
      if (isUnreachable(e)) throw e;
      if (argv["ignore-not-found"] && isApiError(e, "NotFound")) continue;
      err(formatError(e));
      failed = true;
    }
  }
  if (argv.wait && deleted.length > 0) {
    const gone = await waitGone(client, deleted, (argv.timeout ?? 60) * 1000);
    if (!gone) {
      err(`error: timed out waiting for the deletion of ${deleted.length === 1 ? `${kindPrefix(deleted[0].rt)}/${deleted[0].name}` : `${deleted.length} objects`}`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/** Poll until every victim answers NotFound, or the deadline passes. */
async function waitGone(client: Client, victims: Victim[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let pending = victims;
  let delay = 50;
  while (pending.length > 0) {
    const still: Victim[] = [];
    for (const v of pending) {
      try {
        await client.get(v.rt, v.namespace, v.name);
        still.push(v);
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
      }
    }
    pending = still;
    if (pending.length === 0) return true;
    if (Date.now() >= deadline) return false;
    await Bun.sleep(Math.min(delay, deadline - Date.now()));
    delay = Math.min(delay * 2, 1000);
  }
  return true;
}
