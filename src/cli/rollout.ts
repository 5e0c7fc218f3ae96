// skiff rollout status|history|undo|restart|pause|resume: manage the rollout of
// a Deployment (status and restart also for DaemonSets), like kubectl rollout.
import type { Argv, CommandModule } from "yargs";
import { parseDuration } from "../api/duration.ts";
import { toYaml } from "../api/encoding.ts";
import { ApiError } from "../api/errors.ts";
import { controllerOf, getCondition } from "../api/meta.ts";
import { ControllerRevisions, DaemonSets, Deployments, ReplicaSets } from "../api/registry.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { ControllerRevision, DaemonSet, Deployment, KubeObject, PodTemplateSpec, ReplicaSet } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { revisionTemplate } from "../controllers/daemonset-history.ts";
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

/** One revision of a rollout's history, from a Deployment's ReplicaSet or a DaemonSet's ControllerRevision. */
export interface HistoryEntry {
  revision: number;
  cause?: string;
  template: PodTemplateSpec;
}

/** The ReplicaSets a Deployment controls, oldest revision first. */
export function ownedReplicaSets(d: Deployment, all: ReplicaSet[]): ReplicaSet[] {
  return all.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid).sort((a, b) => revisionOf(a) - revisionOf(b));
}

export function deploymentHistory(d: Deployment, all: ReplicaSet[]): HistoryEntry[] {
  return ownedReplicaSets(d, all)
    .filter((rs) => revisionOf(rs) > 0)
    .map((rs) => ({ revision: revisionOf(rs), cause: rs.metadata.annotations?.[changeCauseAnnotation], template: templateForDeployment(rs) }));
}

export function daemonSetHistory(ds: DaemonSet, all: ControllerRevision[]): HistoryEntry[] {
  return all
    .filter((cr) => controllerOf(cr)?.uid === ds.metadata.uid)
    .sort((a, b) => a.revision - b.revision)
    .flatMap((cr) => {
      const template = revisionTemplate(cr);
      return template ? [{ revision: cr.revision, cause: cr.metadata.annotations?.[changeCauseAnnotation], template }] : [];
    });
}

export function historyTable(entries: HistoryEntry[]): string {
  const rows = entries.map((e) => [String(e.revision), e.cause ?? "<none>"]);
  const width = Math.max("REVISION".length, ...rows.map((r) => r[0].length)) + 2;
  return ["REVISION".padEnd(width) + "CHANGE-CAUSE", ...rows.map(([rev, cause]) => rev.padEnd(width) + cause)].join("\n");
}

/** The revision to roll back to: `toRevision`, or (0) the newest one that is not the current template. */
export function undoTarget(current: PodTemplateSpec, entries: HistoryEntry[], toRevision: number, what: string): HistoryEntry {
  if (toRevision < 0) throw ApiError.badRequest(`--to-revision must be a non-negative integer`);
  if (toRevision > 0) {
    const e = entries.find((x) => x.revision === toRevision);
    if (!e) throw ApiError.badRequest(`unable to find specified revision ${toRevision} in history`);
    return e;
  }
  const previous = entries.filter((e) => !templatesEqual(e.template, current)).sort((a, b) => b.revision - a.revision)[0];
  if (!previous) throw ApiError.badRequest(`no rollout history found for ${what}`);
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
    const supported = rt === Deployments || (rt === DaemonSets && action !== "pause" && action !== "resume");
    if (!supported) throw ApiError.badRequest(`no ${action} support for ${rt.kind}; use a deployment${action === "pause" || action === "resume" ? "" : " or daemonset"}`);
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
      return rolloutHistory(client, rt, namespace, name, argv.revision);
    case "undo":
      out(await undoRollout(client, rt, namespace, name, argv["to-revision"] ?? 0));
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

async function historyOf(client: Client, rt: ResourceType, namespace: string, name: string): Promise<{ obj: Deployment | DaemonSet; entries: HistoryEntry[] }> {
  if (rt === DaemonSets) {
    const ds = await client.get<DaemonSet>(DaemonSets, namespace, name);
    return { obj: ds, entries: daemonSetHistory(ds, (await client.list<ControllerRevision>(ControllerRevisions, namespace)).items) };
  }
  const d = await client.get<Deployment>(Deployments, namespace, name);
  return { obj: d, entries: deploymentHistory(d, (await client.list<ReplicaSet>(ReplicaSets, namespace)).items) };
}

async function rolloutHistory(client: Client, rt: ResourceType, namespace: string, name: string, revision?: number): Promise<void> {
  const { obj, entries } = await historyOf(client, rt, namespace, name);
  if (revision !== undefined) {
    const e = entries.find((x) => x.revision === revision);
    if (!e) throw ApiError.badRequest(`unable to find the specified revision ${revision}`);
    out(`${objectName(rt, obj)} with revision #${revision}\nPod Template:\n${toYaml(e.template)}`);
    return;
  }
  out(`${objectName(rt, obj)}\n${historyTable(entries)}\n`);
}

/** Roll a Deployment or DaemonSet back to `toRevision` (0: the previous one); returns what kubectl would print. */
export async function undoRollout(client: Client, rt: ResourceType, namespace: string, name: string, toRevision: number): Promise<string> {
  const { obj, entries } = await historyOf(client, rt, namespace, name);
  if (rt === Deployments && (obj as Deployment).spec.paused) {
    throw ApiError.badRequest(`you cannot rollback a paused deployment; resume it first with 'skiff rollout resume deployment/${name}' and try again`);
  }
  const target = undoTarget(obj.spec.template, entries, toRevision, `${rt.kind.toLowerCase()} ${JSON.stringify(name)}`);
  if (templatesEqual(target.template, obj.spec.template)) {
    return `${objectName(rt, obj)} skipped rollback (current template already matches revision ${target.revision})`;
  }
  // Replace the template wholesale (a merge patch would keep fields the old template lacks).
  const ops: { op: string; path: string; value: unknown }[] = [
    { op: "test", path: "/metadata/resourceVersion", value: obj.metadata.resourceVersion },
    { op: "replace", path: "/spec/template", value: target.template },
  ];
  if (target.cause) ops.push({ op: "add", path: "/metadata/annotations", value: { ...(obj.metadata.annotations ?? {}), [changeCauseAnnotation]: target.cause } });
  const patched = await client.patch(rt, namespace, name, ops, "json");
  return `${objectName(rt, patched)} rolled back`;
}

/** Roll a Deployment back (see undoRollout). */
export function undoDeployment(client: Client, namespace: string, name: string, toRevision: number): Promise<string> {
  return undoRollout(client, Deployments, namespace, name, toRevision);
}
