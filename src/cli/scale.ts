// skiff scale: set the replica count of a Deployment, ReplicaSet or
// ReplicationController (optionally only if it currently has --current-replicas).
import type { Argv, CommandModule } from "yargs";
import { ApiError } from "../api/errors.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { KubeObject } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { type ConnectionArgs, type NamespaceArgs, clientFromArgs, namespaceFrom, out, run, withConnection, withNamespace } from "./args.ts";
import { objectName } from "./output.ts";
import { parseResourceArgs } from "./resource-args.ts";

export interface ScaleArgs extends ConnectionArgs, NamespaceArgs {
  args?: string[];
  replicas?: number;
  "current-replicas"?: number;
}

const scalable = ["Deployment", "ReplicaSet", "ReplicationController"];

export const scaleCommand: CommandModule<object, ScaleArgs> = {
  command: "scale [args..]",
  describe: "Set a new size for a deployment, replica set or replication controller: scale deployment/NAME --replicas N",
  builder: (y) =>
    withNamespace(withConnection(y), false)
      .positional("args", { type: "string", array: true, describe: "TYPE NAME or TYPE/NAME" })
      .option("replicas", { type: "number", describe: "The new desired number of replicas (required)" })
      .option("current-replicas", { type: "number", describe: "Precondition: only scale if the current size is this" }) as unknown as Argv<ScaleArgs>,
  handler: run(scale),
};

/** The validated replica count from the flags. */
export function replicasFrom(argv: Pick<ScaleArgs, "replicas">): number {
  const n = argv.replicas;
  if (n === undefined || Number.isNaN(n)) throw ApiError.badRequest("--replicas=COUNT is required, and COUNT must be greater than or equal to 0");
  if (!Number.isInteger(n) || n < 0) throw ApiError.badRequest(`--replicas must be a non-negative integer, got ${n}`);
  return n;
}

function checkScalable(rt: ResourceType): void {
  if (!scalable.includes(rt.kind)) throw ApiError.badRequest(`cannot scale a ${rt.kind}: only deployments, replicasets and replicationcontrollers can be scaled`);
}

export async function scaleOne(client: Client, rt: ResourceType, namespace: string, name: string, replicas: number, currentReplicas?: number): Promise<KubeObject> {
  checkScalable(rt);
  const obj = await client.get<KubeObject & { spec?: { replicas?: number } }>(rt, namespace, name);
  const current = obj.spec?.replicas ?? 1;
  if (currentReplicas !== undefined && current !== currentReplicas) {
    throw ApiError.badRequest(`Expected replicas to be ${currentReplicas}, was ${current}`);
  }
  // The resourceVersion makes the precondition and the write one atomic step.
  return client.patch(rt, namespace, name, { metadata: { resourceVersion: obj.metadata.resourceVersion }, spec: { replicas } }, "merge");
}

async function scale(argv: ScaleArgs): Promise<void> {
  const replicas = replicasFrom(argv);
  const targets = parseResourceArgs(argv.args ?? []);
  const pairs = targets.flatMap((t) => t.names.map((name) => ({ rt: t.rt, name })));
  if (pairs.length === 0) throw ApiError.badRequest("resource(s) were provided, but no name was specified");
  for (const { rt } of pairs) checkScalable(rt);
  const client = clientFromArgs(argv);
  const namespace = namespaceFrom(argv);
  for (const { rt, name } of pairs) {
    const obj = await scaleOne(client, rt, namespace, name, replicas, argv["current-replicas"]);
    out(`${objectName(rt, obj)} scaled`);
  }
}
