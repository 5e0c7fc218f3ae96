// skiff cordon / uncordon: mark nodes (un)schedulable, as kubectl does before host maintenance.
import type { Argv, CommandModule } from "yargs";
import { ApiError } from "../api/errors.ts";
import { Nodes } from "../api/registry.ts";
import type { Node } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { type ConnectionArgs, clientFromArgs, err, formatError, out, run, withConnection } from "./args.ts";

export interface CordonArgs extends ConnectionArgs {
  nodes?: string[];
  selector?: string;
}

/** The nodes named, or selected with -l. */
export async function selectNodes(client: Client, argv: CordonArgs): Promise<string[]> {
  const names = argv.nodes ?? [];
  if (names.length > 0 && argv.selector) throw ApiError.badRequest("name nodes or select them with -l, not both");
  if (names.length > 0) return names;
  if (!argv.selector) throw ApiError.badRequest("name at least one node, or select nodes with -l");
  const list = await client.list<Node>(Nodes, undefined, { labelSelector: argv.selector });
  if (list.items.length === 0) throw ApiError.badRequest(`no nodes match ${argv.selector}`);
  return list.items.map((n) => n.metadata.name ?? "");
}

/** Set spec.unschedulable; returns false when it already had that value. */
export async function setUnschedulable(client: Client, name: string, unschedulable: boolean): Promise<boolean> {
  const node = await client.get<Node>(Nodes, undefined, name);
  if (Boolean(node.spec?.unschedulable) === unschedulable) return false;
  // null removes the field, which is how an uncordoned node looks in Kubernetes.
  await client.patch(Nodes, undefined, name, { spec: { unschedulable: unschedulable ? true : null } }, "merge");
  return true;
}

function command(verb: "cordon" | "uncordon"): CommandModule<object, CordonArgs> {
  const unschedulable = verb === "cordon";
  return {
    command: `${verb} [nodes..]`,
    describe: unschedulable ? "Mark nodes as unschedulable (running pods stay)" : "Mark nodes as schedulable again",
    builder: (y) =>
      withConnection(y)
        .positional("nodes", { type: "string", array: true, describe: "Node names" })
        .option("selector", { alias: "l", type: "string", describe: "Label selector for nodes" }) as unknown as Argv<CordonArgs>,
    handler: run(async (argv: CordonArgs) => {
      const client = clientFromArgs(argv);
      let failed = false;
      for (const name of await selectNodes(client, argv)) {
        try {
          const changed = await setUnschedulable(client, name, unschedulable);
          out(`node/${name} ${changed ? "" : "already "}${verb}ed`);
        } catch (e) {
          err(formatError(e));
          failed = true;
        }
      }
      return failed ? 1 : 0;
    }),
  };
}

export const cordonCommand = command("cordon");
export const uncordonCommand = command("uncordon");
