// skiff describe: a human summary of objects, like kubectl's — identity, the
// fields that matter for the kind, conditions, and the object's recent Events.
import type { Argv, CommandModule } from "yargs";
import { toYaml } from "../api/encoding.ts";
import { isApiError } from "../api/errors.ts";
import { controllerOf, formatAge } from "../api/meta.ts";
import { EndpointsResource, Events, Pods, resourceForKind } from "../api/registry.ts";
import { eventLastSeen } from "../api/kinds/event.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type {
  Condition,
  ConfigMap,
  Container,
  ContainerStatus,
  CronJob,
  DaemonSet,
  Deployment,
  Endpoints,
  Event,
  Job,
  KubeObject,
  Namespace,
  Node,
  Pod,
  PodTemplateSpec,
  ReplicaSet,
  Secret,
  Service,
} from "../api/types.ts";
import type { Client } from "../client/client.ts";
import {
  type ConnectionArgs,
  type NamespaceArgs,
  type SelectorArgs,
  clientFromArgs,
  err,
  formatError,
  out,
  run,
  withConnection,
  withFilenames,
  withNamespace,
  withSelectors,
} from "./args.ts";
import { type GetArgs, noResourcesMessage, targetsFromArgs } from "./get.ts";
import { lastAppliedAnnotation } from "./apply.ts";
import { formatTable } from "./table.ts";

export interface DescribeArgs extends ConnectionArgs, NamespaceArgs, SelectorArgs {
  resources?: string[];
  filename?: string[];
  "show-events"?: boolean;
}

export const describeCommand: CommandModule<object, DescribeArgs> = {
  command: "describe [resources..]",
  describe: "Show details of resources, with their events",
  builder: (y) =>
    withSelectors(withNamespace(withFilenames(withConnection(y))))
      .positional("resources", { type: "string", array: true, describe: "TYPE [NAME...] or TYPE/NAME ..." })
      .option("show-events", { type: "boolean", default: true, describe: "Include the object's events" }) as unknown as Argv<DescribeArgs>,
  handler: run(describe),
};

// ---- a small text layout: "Key:  value" lines with nesting --------------------------

interface Line {
  indent: number;
  key?: string;
  value: string;
}

/** Lines of "Key: value" at indent levels; keys of one level line up, as in kubectl's output. */
export class Doc {
  readonly lines: Line[] = [];

  field(key: string, value: string | number | boolean | undefined | null, indent = 0): this {
    this.lines.push({ indent, key, value: value === undefined || value === null || value === "" ? "<none>" : String(value) });
    return this;
  }

  /** A key whose value is several lines (labels, annotations): first on the key's line, the rest below it. */
  multi(key: string, values: string[], indent = 0): this {
    if (values.length === 0) return this.field(key, "<none>", indent);
    this.lines.push({ indent, key, value: values[0] });
    for (const v of values.slice(1)) this.lines.push({ indent, key: "", value: v });
    return this;
  }

  heading(key: string, indent = 0): this {
    this.lines.push({ indent, value: `${key}:` });
    return this;
  }

  text(value: string, indent = 0): this {
    for (const l of value.replace(/\n$/, "").split("\n")) this.lines.push({ indent, value: l });
    return this;
  }

  render(): string {
    const width = new Map<number, number>();
    for (const l of this.lines) if (l.key !== undefined) width.set(l.indent, Math.max(width.get(l.indent) ?? 0, l.key.length + 1));
    return this.lines
      .map((l) => {
        const pad = "  ".repeat(l.indent);
        if (l.key === undefined) return `${pad}${l.value}`;
        const label = l.key ? `${l.key}:` : "";
        return `${pad}${label.padEnd((width.get(l.indent) ?? 0) + 2)}${l.value}`.trimEnd();
      })
      .join("\n") + "\n";
  }
}

function kv(m: Record<string, string> | undefined, skip: string[] = []): string[] {
  return Object.entries(m ?? {})
    .filter(([k]) => !skip.includes(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
}

function annotations(m: Record<string, string> | undefined): string[] {
  return Object.entries(m ?? {})
    .filter(([k]) => k !== lastAppliedAnnotation)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v.length > 120 ? v.slice(0, 117) + "..." : v}`);
}

function conditions(doc: Doc, conds: Condition[] | undefined): void {
  if (!conds?.length) return void doc.field("Conditions", "<none>");
  doc.heading("Conditions");
  const rows = [["Type", "Status", "Reason", "Message"], ["----", "------", "------", "-------"]];
  for (const c of conds) rows.push([c.type, c.status, c.reason ?? "", c.message ?? ""]);
  doc.text(formatTable(rows), 1);
}

function selectorString(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): string {
  if (!sel) return "<none>";
  const parts = kv(sel.matchLabels);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator.toLowerCase() === "in" ? "in" : "notin"} (${(e.values ?? []).join(",")})`);
  }
  return parts.join(",") || "<none>";
}

// ---- per-kind sections --------------------------------------------------------------

function containerState(state: ContainerStatus["state"] | undefined): [string, string][] {
  if (!state) return [["State", "Waiting"]];
  if (state.running) return [["State", "Running"], ["  Started", state.running.startedAt ?? ""]];
  if (state.terminated) {
    const t = state.terminated;
    const lines: [string, string][] = [["State", "Terminated"], ["  Reason", t.reason ?? ""], ["  Exit Code", String(t.exitCode)]];
    if (t.signal) lines.push(["  Signal", String(t.signal)]);
    if (t.startedAt) lines.push(["  Started", t.startedAt]);
    if (t.finishedAt) lines.push(["  Finished", t.finishedAt]);
    return lines;
  }
  if (state.waiting) return [["State", "Waiting"], ["  Reason", state.waiting.reason ?? ""]];
  return [["State", "Waiting"]];
}

function containers(doc: Doc, title: string, list: Container[] | undefined, statuses: ContainerStatus[] | undefined, indent = 0): void {
  if (!list?.length) return;
  doc.heading(title, indent);
  for (const c of list) {
    const st = statuses?.find((s) => s.name === c.name);
    doc.heading(`  ${c.name}`, indent);
    const i = indent + 2;
    doc.field("Image", c.image, i);
    if (c.command?.length) doc.multi("Command", c.command, i);
    if (c.args?.length) doc.multi("Args", c.args, i);
    doc.field("Port", c.ports?.map((p) => `${p.containerPort}/${p.protocol ?? "TCP"}${p.hostPort ? ` (host ${p.hostPort})` : ""}`).join(", "), i);
    if (st) {
      for (const [k, v] of containerState(st.state)) doc.field(k, v, i);
      if (st.lastState && Object.keys(st.lastState).length) {
        const [[, state], ...rest] = containerState(st.lastState);
        doc.field("Last State", state, i);
        for (const [k, v] of rest) doc.field(k, v, i);
      }
      doc.field("Ready", st.ready ? "True" : "False", i);
      doc.field("Restart Count", st.restartCount, i);
    }
    if (c.resources?.limits) doc.multi("Limits", kv(c.resources.limits).map((s) => s.replace("=", ": ")), i);
    if (c.resources?.requests) doc.multi("Requests", kv(c.resources.requests).map((s) => s.replace("=", ": ")), i);
    for (const [name, probe] of [["Liveness", c.livenessProbe], ["Readiness", c.readinessProbe], ["Startup", c.startupProbe]] as const) {
      if (!probe) continue;
      const how = probe.httpGet ? `http-get ${probe.httpGet.path ?? "/"} port ${probe.httpGet.port}` : probe.tcpSocket ? `tcp-socket :${probe.tcpSocket.port}` : probe.exec ? `exec [${probe.exec.command.join(" ")}]` : "unknown";
      doc.field(name, `${how} delay=${probe.initialDelaySeconds ?? 0}s timeout=${probe.timeoutSeconds ?? 1}s period=${probe.periodSeconds ?? 10}s #success=${probe.successThreshold ?? 1} #failure=${probe.failureThreshold ?? 3}`, i);
    }
    const env = (c.env ?? []).map((e) => `${e.name}: ${e.value ?? (e.valueFrom ? `(from ${Object.keys(e.valueFrom)[0]})` : "")}`);
    doc.multi("Environment", env, i);
  }
}

function podTemplate(doc: Doc, t: PodTemplateSpec | undefined): void {
  if (!t) return;
  doc.heading("Pod Template");
  doc.multi("Labels", kv(t.metadata?.labels), 1);
  containers(doc, "Containers", t.spec?.containers, undefined, 1);
}

function describePod(doc: Doc, pod: Pod): void {
  const s = pod.status ?? {};
  doc.field("Node", pod.spec?.nodeName ? `${pod.spec.nodeName}${s.hostIP ? `/${s.hostIP}` : ""}` : undefined);
  doc.field("Start Time", s.startTime);
  doc.field("Status", pod.metadata.deletionTimestamp ? "Terminating" : (s.phase ?? "Pending"));
  if (s.reason) doc.field("Reason", s.reason);
  if (s.message) doc.field("Message", s.message);
  doc.field("IP", s.podIP);
  containers(doc, "Init Containers", pod.spec?.initContainers, s.initContainerStatuses);
  containers(doc, "Containers", pod.spec?.containers, s.containerStatuses);
  conditions(doc, s.conditions);
  doc.field("Restart Policy", pod.spec?.restartPolicy);
  doc.multi("Node-Selectors", kv(pod.spec?.nodeSelector));
  doc.multi("Tolerations", (pod.spec?.tolerations ?? []).map((t) => `${t.key ?? ""}${t.operator === "Exists" ? "" : `=${t.value ?? ""}`}${t.effect ? `:${t.effect}` : ""}${t.tolerationSeconds !== undefined ? ` for ${t.tolerationSeconds}s` : ""}`));
}

function describeDeployment(doc: Doc, d: Deployment): void {
  const s = d.status ?? {};
  doc.field("Selector", selectorString(d.spec?.selector));
  doc.field("Replicas", `${d.spec?.replicas ?? 1} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`);
  doc.field("StrategyType", d.spec?.strategy?.type ?? "RollingUpdate");
  doc.field("MinReadySeconds", d.spec?.minReadySeconds ?? 0);
  const ru = d.spec?.strategy?.rollingUpdate;
  if ((d.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate") doc.field("RollingUpdateStrategy", `${ru?.maxUnavailable ?? "25%"} max unavailable, ${ru?.maxSurge ?? "25%"} max surge`);
  if (d.spec?.paused) doc.field("Paused", "true");
  podTemplate(doc, d.spec?.template);
  conditions(doc, s.conditions);
}

function describeReplicaSet(doc: Doc, rs: ReplicaSet): void {
  const s = rs.status;
  doc.field("Selector", selectorString(rs.spec?.selector));
  doc.field("Replicas", `${s?.replicas ?? 0} current / ${rs.spec?.replicas ?? 1} desired`);
  doc.field("Pods Status", `${s?.readyReplicas ?? 0} Ready / ${s?.availableReplicas ?? 0} Available`);
  podTemplate(doc, rs.spec?.template);
  conditions(doc, s?.conditions);
}

function describeDaemonSet(doc: Doc, ds: DaemonSet): void {
  const s = ds.status;
  doc.field("Selector", selectorString(ds.spec?.selector));
  doc.field("Desired Number of Nodes Scheduled", s?.desiredNumberScheduled ?? 0);
  doc.field("Current Number of Nodes Scheduled", s?.currentNumberScheduled ?? 0);
  doc.field("Number of Nodes Scheduled with Up-to-date Pods", s?.updatedNumberScheduled ?? 0);
  doc.field("Number of Nodes Scheduled with Available Pods", s?.numberAvailable ?? 0);
  doc.field("Number of Nodes Misscheduled", s?.numberMisscheduled ?? 0);
  doc.field("Pods Status", `${s?.numberReady ?? 0} Ready`);
  podTemplate(doc, ds.spec?.template);
}

function describeJob(doc: Doc, job: Job): void {
  const s = job.status ?? {};
  doc.field("Parallelism", job.spec?.parallelism ?? 1);
  doc.field("Completions", job.spec?.completions ?? 1);
  doc.field("Backoff Limit", job.spec?.backoffLimit ?? 6);
  doc.field("Start Time", s.startTime);
  if (s.completionTime) doc.field("Completed At", s.completionTime);
  doc.field("Pods Statuses", `${s.active ?? 0} Active / ${s.succeeded ?? 0} Succeeded / ${s.failed ?? 0} Failed`);
  podTemplate(doc, job.spec?.template);
  conditions(doc, s.conditions);
}

function describeCronJob(doc: Doc, cj: CronJob): void {
  doc.field("Schedule", cj.spec?.schedule);
  if (cj.spec?.timeZone) doc.field("Time Zone", cj.spec.timeZone);
  doc.field("Concurrency Policy", cj.spec?.concurrencyPolicy ?? "Allow");
  doc.field("Suspend", cj.spec?.suspend ? "True" : "False");
  doc.field("Successful Job History Limit", cj.spec?.successfulJobsHistoryLimit ?? 3);
  doc.field("Failed Job History Limit", cj.spec?.failedJobsHistoryLimit ?? 1);
  doc.field("Last Schedule Time", cj.status?.lastScheduleTime);
  doc.field("Active Jobs", (cj.status?.active ?? []).map((r) => r.name).join(", "));
}

function describeService(doc: Doc, svc: Service, endpoints: Endpoints | undefined): void {
  const spec = svc.spec ?? {};
  doc.multi("Selector", [kv(spec.selector).join(",") || "<none>"]);
  doc.field("Type", spec.type ?? "ClusterIP");
  doc.field("IP", spec.clusterIP);
  if (spec.externalName) doc.field("External Name", spec.externalName);
  for (const p of spec.ports ?? []) {
    doc.field("Port", `${p.name ?? "<unset>"}  ${p.port}/${p.protocol ?? "TCP"}`);
    doc.field("TargetPort", `${p.targetPort ?? p.port}/${p.protocol ?? "TCP"}`);
    if (p.nodePort) doc.field("NodePort", `${p.name ?? "<unset>"}  ${p.nodePort}/${p.protocol ?? "TCP"}`);
    const eps = (endpoints?.subsets ?? []).flatMap((s) => {
      const port = s.ports?.find((ep) => (p.name ? ep.name === p.name : true))?.port;
      return (s.addresses ?? []).map((a) => `${a.ip}:${port ?? ""}`);
    });
    doc.field("Endpoints", eps.join(","));
  }
  doc.field("Session Affinity", spec.sessionAffinity ?? "None");
}

/** A heading with one indented "key: value" line per entry, or "<none>". */
function section(doc: Doc, title: string, entries: Record<string, string> | undefined): void {
  const list = Object.entries(entries ?? {});
  if (list.length === 0) return void doc.field(title, "<none>");
  doc.heading(title);
  for (const [k, v] of list) doc.field(k, v, 1);
}

function describeNode(doc: Doc, node: Node, pods: Pod[]): void {
  const st = node.status ?? {};
  doc.multi("Taints", (node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`));
  doc.field("Unschedulable", node.spec?.unschedulable ? "true" : "false");
  conditions(doc, st.conditions);
  section(doc, "Addresses", Object.fromEntries((st.addresses ?? []).map((a) => [a.type, a.address])));
  section(doc, "Capacity", st.capacity);
  section(doc, "Allocatable", st.allocatable);
  if (st.nodeInfo) section(doc, "System Info", st.nodeInfo);
  const active = pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  doc.heading(`Non-terminated Pods (${active.length} in total)`);
  if (active.length) {
    const rows = [["Namespace", "Name", "Age"], ["---------", "----", "---"]];
    const now = Date.now();
    for (const p of active) rows.push([p.metadata.namespace ?? "", p.metadata.name ?? "", formatAge(p.metadata.creationTimestamp, now)]);
    doc.text(formatTable(rows), 1);
  }
}

function describeData(doc: Doc, data: Record<string, string> | undefined, secret: boolean): void {
  doc.heading("Data");
  doc.text("====");
  for (const [k, v] of Object.entries(data ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (secret) {
      doc.field(k, `${Buffer.from(v, "base64").length} bytes`);
      continue;
    }
    doc.text(`${k}:`);
    doc.text("----");
    doc.text(v);
    doc.text("");
  }
}

/** Spec and status as YAML, for kinds without a dedicated layout. */
function describeGeneric(doc: Doc, obj: KubeObject): void {
  for (const key of ["spec", "status"] as const) {
    const value = obj[key];
    if (value === undefined || (typeof value === "object" && value !== null && Object.keys(value).length === 0)) continue;
    doc.heading(key === "spec" ? "Spec" : "Status");
    doc.text(toYaml(value), 1);
  }
}

// ---- events -------------------------------------------------------------------------

/** The Events about `obj`: by uid where the server supports the field selector, else filtered here. */
export async function eventsFor(client: Client, obj: KubeObject): Promise<Event[]> {
  const namespace = obj.metadata.namespace || "default";
  const matchesObj = (e: Event) =>
    obj.metadata.uid && e.involvedObject?.uid ? e.involvedObject.uid === obj.metadata.uid : e.involvedObject?.kind === obj.kind && e.involvedObject?.name === obj.metadata.name;
  let items: Event[];
  try {
    const selector = obj.metadata.uid ? `involvedObject.uid=${obj.metadata.uid}` : `involvedObject.name=${obj.metadata.name},involvedObject.kind=${obj.kind}`;
    items = (await client.list<Event>(Events, namespace, { fieldSelector: selector })).items;
  } catch (e) {
    if (!isApiError(e, "BadRequest")) throw e;
    items = (await client.list<Event>(Events, namespace)).items;
  }
  const when = (e: Event) => Date.parse(eventLastSeen(e) ?? "") || 0;
  return items.filter(matchesObj).sort((a, b) => when(a) - when(b));
}

export function eventsTable(events: Event[], now: number): string {
  if (events.length === 0) return "Events:  <none>\n";
  const rows = [["Type", "Reason", "Age", "From", "Message"], ["----", "------", "----", "----", "-------"]];
  for (const e of events) {
    const last = eventLastSeen(e);
    let age = formatAge(last, now);
    if ((e.count ?? 1) > 1) age = `${age} (x${e.count} over ${formatAge(e.firstTimestamp || last, now)})`;
    rows.push([e.type ?? "", e.reason ?? "", age, e.source?.component || e.reportingComponent || "", (e.message ?? "").trim()]);
  }
  return "Events:\n" + formatTable(rows).replace(/^(?=.)/gm, "  ");
}

// ---- the verb -----------------------------------------------------------------------

/** The describe text for one object (events passed in, fetched by the caller). */
export function describeObject(rt: ResourceType, obj: KubeObject, extra: { events?: Event[]; endpoints?: Endpoints; pods?: Pod[]; now?: number } = {}): string {
  const doc = new Doc();
  doc.field("Name", obj.metadata.name);
  if (rt.namespaced) doc.field("Namespace", obj.metadata.namespace);
  doc.multi("Labels", kv(obj.metadata.labels));
  doc.multi("Annotations", annotations(obj.metadata.annotations));
  doc.field("CreationTimestamp", obj.metadata.creationTimestamp);
  if (obj.metadata.deletionTimestamp) doc.field("DeletionTimestamp", obj.metadata.deletionTimestamp);
  const owner = controllerOf(obj);
  if (owner) {
    const ownerRt = resourceForKind(owner.apiVersion, owner.kind);
    doc.field("Controlled By", `${ownerRt ? ownerRt.kind : owner.kind}/${owner.name}`);
  }
  if (obj.metadata.finalizers?.length) doc.field("Finalizers", `[${obj.metadata.finalizers.join(" ")}]`);
  switch (`${rt.group}/${rt.kind}`) {
    case "/Pod":
      describePod(doc, obj as Pod);
      break;
    case "apps/Deployment":
      describeDeployment(doc, obj as Deployment);
      break;
    case "apps/ReplicaSet":
      describeReplicaSet(doc, obj as ReplicaSet);
      break;
    case "apps/DaemonSet":
      describeDaemonSet(doc, obj as DaemonSet);
      break;
    case "batch/Job":
      describeJob(doc, obj as Job);
      break;
    case "batch/CronJob":
      describeCronJob(doc, obj as CronJob);
      break;
    case "/Service":
      describeService(doc, obj as Service, extra.endpoints);
      break;
    case "/Node":
      describeNode(doc, obj as Node, extra.pods ?? []);
      break;
    case "/Namespace":
      doc.field("Status", (obj as Namespace).status?.phase ?? "Active");
      break;
    case "/ConfigMap":
      describeData(doc, (obj as ConfigMap).data, false);
      break;
    case "/Secret":
      doc.field("Type", (obj as Secret).type ?? "Opaque");
      describeData(doc, (obj as Secret).data, true);
      break;
    default:
      describeGeneric(doc, obj);
  }
  let text = doc.render();
  if (extra.events) text += eventsTable(extra.events, extra.now ?? Date.now());
  return text;
}

async function extrasFor(client: Client, rt: ResourceType, obj: KubeObject, withEvents: boolean) {
  const extra: { events?: Event[]; endpoints?: Endpoints; pods?: Pod[] } = {};
  if (withEvents) extra.events = await eventsFor(client, obj).catch(() => []);
  if (rt.kind === "Service" && !rt.group) extra.endpoints = await client.get<Endpoints>(EndpointsResource, obj.metadata.namespace, obj.metadata.name!).catch(() => undefined);
  if (rt.kind === "Node" && !rt.group) extra.pods = (await client.list<Pod>(Pods, undefined, { fieldSelector: `spec.nodeName=${obj.metadata.name}` }).catch(() => ({ items: [] as Pod[] }))).items;
  return extra;
}

async function describe(argv: DescribeArgs): Promise<number> {
  const getArgs: GetArgs = { ...argv };
  const targets = await targetsFromArgs(getArgs);
  const client = clientFromArgs(argv);
  const texts: string[] = [];
  let failed = false;
  for (const t of targets) {
    let objs: KubeObject[] = [];
    if (t.names.length === 0) {
      objs = (await client.list(t.rt, t.namespace, { labelSelector: argv.selector, fieldSelector: argv["field-selector"] })).items;
    } else {
      for (const name of t.names) {
        try {
          objs.push(await client.get(t.rt, t.namespace, name));
        } catch (e) {
          if (!isApiError(e, "NotFound")) throw e;
          err(formatError(e));
          failed = true;
        }
      }
    }
    for (const obj of objs) {
      const full = obj.kind ? obj : { ...obj, kind: t.rt.kind };
      texts.push(describeObject(t.rt, full, await extrasFor(client, t.rt, full, argv["show-events"] !== false)));
    }
  }
  if (texts.length) out(texts.join("\n\n"));
  else if (!failed) err(noResourcesMessage(targets, argv));
  return failed ? 1 : 0;
}

