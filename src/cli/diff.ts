// skiff diff -f: what apply would change, as a unified diff of the live object
// and the object the server would store (asked for with a server dry run, so
// defaults and validation are the server's own). Exit 0: no differences,
// 1: differences, 2: an error — like kubectl diff.
import type { Argv, CommandModule } from "yargs";
import { toYaml } from "../api/encoding.ts";
import { isApiError } from "../api/errors.ts";
import { apiVersionOf } from "../api/resource-type.ts";
import type { KubeObject } from "../api/types.ts";
import { desiredObject, planApply } from "./apply.ts";
import { type ConnectionArgs, clientFromArgs, err, formatError, out, withConnection, withFilenames } from "./args.ts";
import { readManifests } from "./manifests.ts";
import { unifiedDiff } from "./text-diff.ts";

export interface DiffArgs extends ConnectionArgs {
  filename?: string[];
  namespace?: string;
}

/** Fields that always differ between a live object and a dry-run answer and say nothing about the change. */
export function comparable(obj: KubeObject | undefined): string {
  if (!obj) return "";
  const copy = structuredClone(obj);
  delete copy.metadata.resourceVersion;
  delete copy.metadata.generation;
  delete copy.metadata.uid;
  delete copy.metadata.creationTimestamp;
  return toYaml(copy);
}

/** kubectl's file naming: apps.v1.Deployment.default.web */
export function diffName(obj: KubeObject): string {
  return [obj.apiVersion.replace("/", "."), obj.kind, obj.metadata.namespace, obj.metadata.name].filter(Boolean).join(".");
}

async function diff(argv: DiffArgs): Promise<number> {
  const manifests = await readManifests(argv.filename ?? []);
  const desired = manifests.map((m) => desiredObject(m, argv.namespace));
  const client = clientFromArgs(argv);
  const dryRun = clientFromArgs({ ...argv, "dry-run": "server" });
  let changed = false;
  for (let i = 0; i < manifests.length; i++) {
    const { rt } = manifests[i];
    const want = desired[i];
    let live: KubeObject | undefined;
    try {
      live = await client.get(rt, want.metadata.namespace, want.metadata.name!);
    } catch (e) {
      if (!isApiError(e, "NotFound")) throw e;
    }
    const plan = planApply(live, want);
    if (plan.action === "unchanged") continue;
    const result = plan.action === "create" ? await dryRun.create(rt, plan.obj) : await dryRun.update(rt, plan.obj);
    const text = unifiedDiff(comparable(live), comparable(result), `live/${diffName({ ...want, apiVersion: apiVersionOf(rt) })}`, `merged/${diffName({ ...want, apiVersion: apiVersionOf(rt) })}`);
    if (!text) continue;
    changed = true;
    out(text);
  }
  return changed ? 1 : 0;
}

export const diffCommand: CommandModule<object, DiffArgs> = {
  command: "diff",
  describe: "Show what apply -f would change (exit 1 when something would)",
  builder: (y) =>
    withFilenames(withConnection(y))
      .option("namespace", { alias: "n", type: "string", describe: "Namespace for objects that do not name one" })
      .demandOption("filename", "diff needs -f FILE, a directory, or - for stdin") as unknown as Argv<DiffArgs>,
  // Not run(): an error must exit 2, since 1 means "differences found".
  handler: async (argv: DiffArgs) => {
    try {
      process.exitCode = await diff(argv);
    } catch (e) {
      err(formatError(e));
      process.exitCode = 2;
    }
  },
};

