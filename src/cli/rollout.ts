// skiff rollout status|history|undo|restart|pause|resume: manage the rollout of
// a Deployment (status and restart also for DaemonSets), like kubectl rollout.
import type { Argv, CommandModule } from "yargs";
import { parseDuration } from "../api/duration.ts";
import { toYaml } from "../api/encoding.ts";
import { ApiError } from "../api/errors.ts";
import { controllerOf, getCondition } from "../api/meta.ts";
import { DaemonSets, Deployments, ReplicaSets } from "../api/registry.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { DaemonSet, Deployment, KubeObject, PodTemplateSpec, ReplicaSet } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { changeCauseAnnotation, restartedAtAnnotation, revisionOf } from "../controllers/deployment.ts";
import { podTemplateHashLabel, templatesEqual, templateWithoutHash } from "../controllers/template-hash.ts";
import { type ConnectionArgs, type NamespaceArgs, clientFromArgs, namespaceFrom, out, run, withConnection, withNamespace } from "./args.ts";
import { objectName } from "./output.ts";
import { parseResourceArgs } from "./resource-args.ts";

export interface RolloutArgs extends ConnectionArgs, NamespaceArgs {
  action?: string;
  args?: string[];
  revision?: number;
  "to-revision"?: number;
  timeout?: string;
  watch?: boolean;
}

const actions = ["status", "history", "undo", "restart", "pause", "resume"] as const;
type Action = (typeof actions)[number];

export const rolloutCommand: CommandModule<object, RolloutArgs> = {
  command: "rollout <action> [args..]",
  describe: "Manage the rollout of a deployment: status, history, undo, restart, pause, resume",
  builder: (y) =>
    withNamespace(withConnection(y), false)
      .positional("action", { type: "string", choices: [...actions], describe: "What to do" })
      .positional("args", { type: "string", array: true, describe: "TYPE NAME or TYPE/NAME" })
      .option("revision", { type: "number", describe: "history: show the pod template of this revision" })
      .option("to-revision", { type: "number", default: 0, describe: "undo: the revision to roll back to (0: the previous one)" })
      .option("timeout", { type: "string", describe: "status: give up after this long (e.g. 5m); default: wait forever" })
      .option("watch", { alias: "w", type: "boolean", default: true, describe: "status: wait for the rollout to finish" }) as unknown as Argv<RolloutArgs>,
  handler: run(rollout),
};

// ---- pure pieces ---------------------------------------------------------------------

export interface RolloutState {
  done: boolean;
  message: string;
  /** Set when the rollout failed (progress deadline exceeded). */
  failed?: boolean;
}

/** kubectl's DeploymentStatusViewer. */
export function deploymentRolloutState(d: Deployment): RolloutState {
  const name = d.metadata.name;
  const status = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) return { done: false, message: "Waiting for deployment spec update to be observed..." };
  const progressing = getCondition(status.conditions, "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  const want = d.spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < want) return { done: false, message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...` };
  if (total > updated) return { done: false, message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...` };
  if (available < updated) return { done: false, message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
  return { done: true, message: `deployment "${name}" successfully rolled out` };
}

export function daemonSetRolloutState(ds: DaemonSet): RolloutState {
  const name = ds.metadata.name;
  const s = ds.status;
  if (ds.spec.updateStrategy?.type === "OnDelete") return { done: true, message: `rollout status is only available for RollingUpdate strategy type` };
  if (!s || (ds.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return { done: false, message: "Waiting for daemon set spec update to be observed..." };
  const updated = s.updatedNumberScheduled ?? 0;
  if (updated < s.desiredNumberScheduled) return { done: false, message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${s.desiredNumberScheduled} new pods have been updated...` };
  const available = s.numberAvailable ?? 0;
  if (available < s.desiredNumberScheduled) return { done: false, message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${s.desiredNumberScheduled} updated pods are available...` };
  return { done: true, message: `daemon set "${name}" successfully rolled out` };
}

/** The ReplicaSets a Deployment controls, oldest revision first. */
export function ownedReplicaSets(d: Deployment, all: ReplicaSet[]): ReplicaSet[] {
  return all.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid).sort((a, b) => revisionOf(a) - revisionOf(b));
}

export function historyTable(rss: ReplicaSet[]): string {
  const rows = rss.filter((rs) => revisionOf(rs) > 0).map((rs) => [String(revisionOf(rs)), rs.metadata.annotations?.[changeCauseAnnotation] ?? "<none>"]);
  const width = Math.max("REVISION".length, ...rows.map((r) => r[0].length)) + 2;
  return ["REVISION".padEnd(width) + "CHANGE-CAUSE", ...rows.map(([rev, cause]) => rev.padEnd(width) + cause)].join("\n");
}

/** The ReplicaSet to roll back to: `toRevision`, or (0) the newest revision before the current one. */
export function undoTarget(d: Deployment, rss: ReplicaSet[], toRevision: number): ReplicaSet {
  if (toRevision < 0) throw ApiError.badRequest(`--to-revision must be a non-negative integer`);
  if (toRevision > 0) {
    const rs = rss.find((r) => revisionOf(r) === toRevision);
    if (!rs) throw ApiError.badRequest(`unable to find specified revision ${toRevision} in history`);
    return rs;
  }
  const current = rss.find((rs) => templatesEqual(rs.spec.template, d.spec.template));
  const previous = rss.filter((rs) => rs !== current).sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  if (!previous) throw ApiError.badRequest("no rollout history found for deployment " + JSON.stringify(d.metadata.name));
  return previous;
}

/** A ReplicaSet's template as it belongs in its Deployment (without the hash label). */
export function templateForDeployment(rs: ReplicaSet): PodTemplateSpec {
  return templateWithoutHash(rs.spec.template, podTemplateHashLabel);
}

// ---- the verb ----------------------------------------------------------------------------

async function rollout(argv: RolloutArgs): Promise<number | void> {
  const action = argv.action as Action;
  // Arguments are checked before any connection is made.
  const targets = parseResourceArgs(argv.args ?? []).flatMap((t) => t.names.map((name) => ({ rt: t.rt, name })));
  if (targets.length === 0) throw ApiError.badRequest("required resource not specified, e.g. deployment/NAME");
  for (const { rt } of targets) {
    const supported = rt === Deployments || (rt === DaemonSets && (action === "status" || action === "restart"));
    if (!supported) throw ApiError.badRequest(`no ${action} support for ${rt.kind}; use a deployment${action === "status" || action === "restart" ? " or daemonset" : ""}`);
  }
  if (argv.timeout !== undefined) parseDuration(argv.timeout);
  const client = clientFromArgs(argv);
  const namespace = namespaceFrom(argv);
  let code = 0;
  for (const { rt, name } of targets) {
    const result = await runAction(client, action, rt, namespace, name, argv);
    if (result) code = result;
  }
  return code;
}

async function runAction(client: Client, action: Action, rt: ResourceType, namespace: string, name: string, argv: RolloutArgs): Promise<number | void> {
  switch (action) {
    case "status":
      return rolloutStatus(client, rt, namespace, name, argv);
    case "history":
      return rolloutHistory(client, namespace, name, argv.revision);
    case "undo":
      out(await undoDeployment(client, namespace, name, argv["to-revision"] ?? 0));
      return;
    case "restart": {
      const obj = await client.patch(rt, namespace, name, { spec: { template: { metadata: { annotations: { [restartedAtAnnotation]: new Date().toISOString() } } } } }, "merge");
      out(`${objectName(rt, obj)} restarted`);
      return;
    }
    case "pause":
    case "resume": {
      const d = await client.get<Deployment>(Deployments, namespace, name);
      const pause = action === "pause";
      if ((d.spec.paused === true) === pause) {
        out(`${objectName(Deployments, d)} already ${pause ? "paused" : "resumed"}`);
        return;
      }
      const obj = await client.patch(Deployments, namespace, name, { spec: { paused: pause ? true : null } }, "merge");
      out(`${objectName(Deployments, obj)} ${pause ? "paused" : "resumed"}`);
      return;
    }
  }
}

function stateOf(rt: ResourceType, obj: KubeObject): RolloutState {
  return rt === DaemonSets ? daemonSetRolloutState(obj as DaemonSet) : deploymentRolloutState(obj as Deployment);
}

async function rolloutStatus(client: Client, rt: ResourceType, namespace: string, name: string, argv: RolloutArgs): Promise<number> {
  const deadline = argv.timeout ? Date.now() + parseDuration(argv.timeout) : Infinity;
  let last = "";
  const report = (obj: KubeObject): RolloutState => {
    const state = stateOf(rt, obj);
    if (state.message !== last && !state.failed) out(state.message);
    last = state.message;
    return state;
  };
  const finish = (state: RolloutState): number | undefined => {
    if (state.failed) throw ApiError.badRequest(state.message);
    if (state.done || argv.watch === false) return state.done ? 0 : 1;
    return undefined;
  };
  let obj = await client.get(rt, namespace, name);
  const first = finish(report(obj));
  if (first !== undefined) return first;
  while (Date.now() < deadline) {
    const stream = client.watch(rt, namespace, { fieldSelector: `metadata.name=${name}`, resourceVersion: obj.metadata.resourceVersion, timeoutSeconds: Number.isFinite(deadline) ? Math.max(1, Math.ceil((deadline - Date.now()) / 1000)) : 300 });
    const timer = Number.isFinite(deadline) ? setTimeout(() => stream.close(), Math.max(0, deadline - Date.now())) : undefined;
    try {
      for await (const ev of stream) {
        if (ev.type === "DELETED") throw ApiError.notFound(rt.plural, name);
        if (ev.type !== "ADDED" && ev.type !== "MODIFIED") continue;
        obj = ev.object;
        const code = finish(report(obj));
        if (code !== undefined) return code;
      }
    } catch (err) {
      if (!(err instanceof ApiError) || err.reason !== "Gone") throw err;
      obj = await client.get(rt, namespace, name);
      const code = finish(report(obj));
      if (code !== undefined) return code;
    } finally {
      clearTimeout(timer);
      stream.close();
    }
  }
  throw ApiError.badRequest("timed out waiting for the condition");
}

async function listOwned(client: Client, d: Deployment): Promise<ReplicaSet[]> {
  const list = await client.list<ReplicaSet>(ReplicaSets, d.metadata.namespace);
  return ownedReplicaSets(d, list.items);
}

async function rolloutHistory(client: Client, namespace: string, name: string, revision?: number): Promise<void> {
  const d = await client.get<Deployment>(Deployments, namespace, name);
  const rss = await listOwned(client, d);
  if (revision !== undefined) {
    const rs = rss.find((r) => revisionOf(r) === revision);
    if (!rs) throw ApiError.badRequest(`unable to find the specified revision ${revision}`);
    out(`${objectName(Deployments, d)} with revision #${revision}\nPod Template:\n${toYaml(rs.spec.template)}`);
    return;
  }
  out(`${objectName(Deployments, d)}\n${historyTable(rss)}\n`);
}

/** Roll a Deployment back to `toRevision` (0: the previous one); returns what kubectl would print. */
export async function undoDeployment(client: Client, namespace: string, name: string, toRevision: number): Promise<string> {
  const d = await client.get<Deployment>(Deployments, namespace, name);
  if (d.spec.paused) throw ApiError.badRequest(`you cannot rollback a paused deployment; resume it first with 'skiff rollout resume deployment/${name}' and try again`);
  const rss = await listOwned(client, d);
  const target = undoTarget(d, rss, toRevision);
  if (templatesEqual(target.spec.template, d.spec.template)) {
    return `${objectName(Deployments, d)} skipped rollback (current template already matches revision ${revisionOf(target)})`;
  }
  // Replace the template wholesale (a merge patch would keep fields the old template lacks).
  const ops: { op: string; path: string; value: unknown }[] = [
    { op: "test", path: "/metadata/resourceVersion", value: d.metadata.resourceVersion },
    { op: "replace", path: "/spec/template", value: templateForDeployment(target) },
  ];
  const cause = target.metadata.annotations?.[changeCauseAnnotation];
  if (cause) ops.push({ op: "add", path: "/metadata/annotations", value: { ...(d.metadata.annotations ?? {}), [changeCauseAnnotation]: cause } });
  const obj = await client.patch(Deployments, namespace, name, ops, "json");
  return `${objectName(Deployments, obj)} rolled back`;
}
