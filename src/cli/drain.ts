// skiff drain: cordon a node and move its pods elsewhere before maintenance.
// Like kubectl, it refuses to delete what would not come back (pods without a
// controller, emptyDir data) or what would come straight back (DaemonSet pods)
// unless told to.
import type { Argv, CommandModule } from "yargs";
import { parseDuration } from "../api/duration.ts";
import { ApiError, isApiError } from "../api/errors.ts";
import { controllerOf, podIsTerminal } from "../api/meta.ts";
import { Pods } from "../api/registry.ts";
import type { DeleteOptions, Pod } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { clientFromArgs, err, out, run, withConnection } from "./args.ts";
import { type CordonArgs, selectNodes, setUnschedulable } from "./cordon.ts";

export interface DrainArgs extends CordonArgs {
  force?: boolean;
  "ignore-daemonsets"?: boolean;
  "delete-emptydir-data"?: boolean;
  "grace-period"?: number;
  timeout?: string;
}

export interface DrainOptions {
  force: boolean;
  ignoreDaemonSets: boolean;
  deleteEmptyDirData: boolean;
}

export interface DrainPlan {
  evict: Pod[];
  /** Left on the node on purpose (DaemonSet pods with --ignore-daemonsets). */
  ignored: Pod[];
  /** Why the drain cannot go ahead; empty when it can. */
  problems: string[];
}

const podName = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;

/** Which of the node's pods to evict, which to leave, and what blocks the drain. Pure. */
export function planDrain(pods: Pod[], opts: DrainOptions): DrainPlan {
  const plan: DrainPlan = { evict: [], ignored: [], problems: [] };
  const unmanaged: string[] = [];
  const daemons: string[] = [];
  const localData: string[] = [];
  for (const pod of pods) {
    const terminal = podIsTerminal(pod);
    const owner = controllerOf(pod);
    if (owner?.kind === "DaemonSet" && !terminal) {
      if (opts.ignoreDaemonSets) plan.ignored.push(pod);
      else daemons.push(podName(pod));
      continue;
    }
    if (!owner && !terminal && !opts.force) unmanaged.push(podName(pod));
    if (pod.spec?.volumes?.some((v) => v.emptyDir) && !terminal && !opts.deleteEmptyDirData) localData.push(podName(pod));
    plan.evict.push(pod);
  }
  if (unmanaged.length) plan.problems.push(`cannot delete Pods that declare no controller (use --force to override): ${unmanaged.join(", ")}`);
  if (daemons.length) plan.problems.push(`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemons.join(", ")}`);
  if (localData.length) plan.problems.push(`cannot delete Pods with local storage (use --delete-emptydir-data to override): ${localData.join(", ")}`);
  return plan;
}

export const drainCommand: CommandModule<object, DrainArgs> = {
  command: "drain [nodes..]",
  describe: "Cordon nodes and evict their pods, to prepare for maintenance",
  builder: (y) =>
    withConnection(y)
      .positional("nodes", { type: "string", array: true, describe: "Node names" })
      .option("selector", { alias: "l", type: "string", describe: "Label selector for nodes" })
      .option("force", { type: "boolean", describe: "Also delete pods no controller will recreate" })
      .option("ignore-daemonsets", { type: "boolean", describe: "Leave DaemonSet-managed pods in place" })
      .option("delete-emptydir-data", { type: "boolean", describe: "Delete pods with emptyDir volumes (their data is lost)" })
      .option("grace-period", { type: "number", describe: "Seconds each pod gets to stop (default: the pod's own)" })
      .option("timeout", { type: "string", default: "5m", describe: "How long to wait for the pods to go" }) as unknown as Argv<DrainArgs>,
  handler: run(drain),
};

async function drain(argv: DrainArgs): Promise<number> {
  const client = clientFromArgs(argv);
  const timeoutMs = parseDuration(argv.timeout ?? "5m");
  const opts: DrainOptions = { force: Boolean(argv.force), ignoreDaemonSets: Boolean(argv["ignore-daemonsets"]), deleteEmptyDirData: Boolean(argv["delete-emptydir-data"]) };
  for (const name of await selectNodes(client, argv)) {
    const changed = await setUnschedulable(client, name, true);
    out(`node/${name} ${changed ? "" : "already "}cordoned`);
    const pods = (await client.list<Pod>(Pods, undefined, { fieldSelector: `spec.nodeName=${name}` })).items;
    const plan = planDrain(pods, opts);
    if (plan.problems.length) {
      // The node stays cordoned, as with kubectl: the operator decides what next.
      throw ApiError.badRequest(`unable to drain node "${name}" due to error: ${plan.problems.join("; ")}`);
    }
    if (plan.ignored.length) err(`Warning: ignoring DaemonSet-managed Pods: ${plan.ignored.map(podName).join(", ")}`);
    const deleteOpts: DeleteOptions = argv["grace-period"] !== undefined && argv["grace-period"] >= 0 ? { gracePeriodSeconds: argv["grace-period"] } : {};
    for (const pod of plan.evict) {
      try {
        await client.delete(Pods, pod.metadata.namespace, pod.metadata.name!, deleteOpts);
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
      }
      out(`pod/${pod.metadata.name} evicted`);
    }
    await waitForPodsGone(client, plan.evict, timeoutMs, name);
    out(`node/${name} drained`);
  }
  return 0;
}

/** Gone means deleted, or replaced by a new pod of the same name (a new uid). */
async function waitForPodsGone(client: Client, pods: Pod[], timeoutMs: number, node: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = pods;
  let delay = 50;
  while (pending.length > 0) {
    const still: Pod[] = [];
    for (const p of pending) {
      try {
        const live = await client.get<Pod>(Pods, p.metadata.namespace, p.metadata.name!);
        if (live.metadata.uid === p.metadata.uid) still.push(p);
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
      }
    }
    pending = still;
    if (pending.length === 0) return;
    if (Date.now() >= deadline) throw ApiError.badRequest(`drain of node "${node}" timed out waiting for ${pending.map(podName).join(", ")} to go`);
    await Bun.sleep(Math.max(0, Math.min(delay, deadline - Date.now())));
    delay = Math.min(delay * 2, 1000);
  }
}
