// skiff apply: create or update objects from manifests, like kubectl's
// client-side apply. The manifest is remembered in the last-applied annotation,
// so a field removed from the manifest is removed from the live object (a
// three-way merge of last-applied, manifest and live), while fields others set
// (status, defaults, labels added by hand) are kept.
import type { Argv, CommandModule } from "yargs";
import { ApiError, isApiError } from "../api/errors.ts";
import type { KubeObject } from "../api/types.ts";
import { isObject } from "../api/validation.ts";
import type { Client } from "../client/client.ts";
import {
  type ConnectionArgs,
  type DryRunArgs,
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
} from "./args.ts";
import { type Manifest, readManifests, targetNamespace } from "./manifests.ts";
import { objectName } from "./output.ts";

export const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

export interface ApplyArgs extends ConnectionArgs, DryRunArgs {
  filename?: string[];
  namespace?: string;
  output?: string;
}

export const applyCommand: CommandModule<object, ApplyArgs> = {
  command: "apply",
  describe: "Create or update resources from manifests (-f FILE|DIR|-)",
  builder: (y) =>
    withDryRun(withFilenames(withConnection(y)))
      .option("namespace", { alias: "n", type: "string", describe: "Namespace for objects that do not name one" })
      .option("output", { alias: "o", type: "string", describe: "name: print only kind/name" })
      .demandOption("filename", "apply needs -f FILE, a directory, or - for stdin") as unknown as Argv<ApplyArgs>,
  handler: run(apply),
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Lists whose items all carry a string `name` are merged by name (containers, env, ports, volumes...). */
function byName(items: unknown[]): Map<string, unknown> | undefined {
  const m = new Map<string, unknown>();
  for (const item of items) {
    if (!isObject(item) || typeof item.name !== "string" || m.has(item.name)) return undefined;
    m.set(item.name, item);
  }
  return m;
}

function mergeList(live: unknown[], last: unknown, desired: unknown[]): unknown[] {
  const lastList = Array.isArray(last) ? last : [];
  const liveByName = byName(live);
  const desiredByName = byName(desired);
  if (liveByName && desiredByName) {
    const lastByName = byName(lastList);
    return desired.map((d) => {
      const name = (d as { name: string }).name;
      return mergeValue(liveByName.get(name), lastByName?.get(name), d);
    });
  }
  if (live.length === desired.length) return desired.map((d, i) => mergeValue(live[i], lastList[i], d));
  return structuredClone(desired);
}

/**
 * The merged value of one field: the desired value, keeping what the live
 * object has beyond it (defaults, fields set by others) except what the last
 * applied configuration set and the manifest no longer does.
 */
export function mergeValue(live: unknown, last: unknown, desired: unknown): unknown {
  if (Array.isArray(desired) && Array.isArray(live)) return mergeList(live, last, desired);
  if (!isObject(desired) || !isObject(live)) return structuredClone(desired);
  const result: Record<string, unknown> = { ...live };
  const lastObj = isObject(last) ? last : {};
  for (const [key, value] of Object.entries(desired)) {
    if (value === null) delete result[key];
    else result[key] = mergeValue(live[key], lastObj[key], value);
  }
  for (const key of Object.keys(lastObj)) if (!(key in desired)) delete result[key];
  return result;
}

/** JSON with object keys sorted at every level, as Go (kubectl) writes maps. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

/**
 * The manifest with its own JSON in the last-applied annotation, written
 * byte for byte as kubectl writes it (sorted keys, "annotations": {} when
 * there are none), so kubectl and skiff see each other's applies as unchanged.
 */
export function withLastApplied(manifest: KubeObject): KubeObject {
  const clean = structuredClone(manifest);
  const annotations = { ...(clean.metadata.annotations ?? {}) };
  delete annotations[lastAppliedAnnotation];
  clean.metadata.annotations = annotations;
  const result = structuredClone(clean);
  result.metadata.annotations = { ...annotations, [lastAppliedAnnotation]: sortedJson(clean) + "\n" };
  return result;
}

export function lastAppliedOf(live: KubeObject): Json | undefined {
  const text = live.metadata.annotations?.[lastAppliedAnnotation];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

export type ApplyPlan = { action: "create"; obj: KubeObject } | { action: "update"; obj: KubeObject } | { action: "unchanged" };

/** Decide what apply does, given the live object (undefined: absent) and the desired one (with its last-applied annotation). */
export function planApply(live: KubeObject | undefined, desired: KubeObject): ApplyPlan {
  if (!live) return { action: "create", obj: desired };
  const merged = mergeValue(live, lastAppliedOf(live), desired) as KubeObject;
  merged.metadata = { ...merged.metadata, resourceVersion: live.metadata.resourceVersion };
  if (Bun.deepEquals(merged, live)) return { action: "unchanged" };
  return { action: "update", obj: merged };
}

/** The manifest as it will be sent: namespace resolved, last-applied recorded. */
export function desiredObject(m: Manifest, flagNamespace: string | undefined): KubeObject {
  if (!m.obj.metadata.name) throw ApiError.badRequest(`error validating ${m.source}: ${m.obj.kind} uses metadata.generateName, which apply cannot use (use create)`);
  const namespace = targetNamespace(m, flagNamespace);
  const obj = structuredClone(m.obj);
  if (namespace) obj.metadata.namespace = namespace;
  else delete obj.metadata.namespace;
  return withLastApplied(obj);
}

const maxConflictRetries = 5;

/** Apply one object; with `sendNothing` (client dry run) only decide. */
export async function applyOne(client: Client, m: Manifest, desired: KubeObject, sendNothing = false): Promise<"created" | "configured" | "unchanged"> {
  const { rt } = m;
  for (let attempt = 0; ; attempt++) {
    let live: KubeObject | undefined;
    try {
      live = await client.get(rt, desired.metadata.namespace, desired.metadata.name!);
    } catch (e) {
      if (!isApiError(e, "NotFound")) throw e;
    }
    const plan = planApply(live, desired);
    if (sendNothing) return plan.action === "create" ? "created" : plan.action === "update" ? "configured" : "unchanged";
    try {
      if (plan.action === "unchanged") return "unchanged";
      if (plan.action === "create") {
        await client.create(rt, plan.obj);
        return "created";
      }
      await client.update(rt, plan.obj);
      return "configured";
    } catch (e) {
      // Someone else wrote in between: read again and redo the merge.
      const raced = isApiError(e, "Conflict") || isApiError(e, "AlreadyExists");
      if (!raced || attempt >= maxConflictRetries) throw e;
    }
  }
}

async function apply(argv: ApplyArgs): Promise<number> {
  const manifests = await readManifests(argv.filename ?? []);
  // Resolve every object before sending any, so a bad manifest changes nothing.
  const desired = manifests.map((m) => desiredObject(m, argv.namespace));
  const mode = dryRunFrom(argv);
  const client = clientFromArgs(argv);
  let failed = false;
  for (let i = 0; i < manifests.length; i++) {
    const m = manifests[i];
    try {
      const result = await applyOne(client, m, desired[i], mode === "client");
      const name = objectName(m.rt, desired[i]);
      out(argv.output === "name" ? name : `${name} ${result}${dryRunSuffix(mode)}`);
    } catch (e) {
      if (isUnreachable(e)) throw e;
      err(formatError(e, `error when applying "${m.source}"`));
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
