// skiff label: add, change (--overwrite) or remove (key-) labels on objects.
// The same machinery serves skiff annotate (annotate.ts) for annotations.
import type { Argv, CommandModule } from "yargs";
import { ApiError } from "../api/errors.ts";
import type { KubeObject } from "../api/types.ts";
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
import { type GetArgs, targetsFromArgs } from "./get.ts";
import { objectName } from "./output.ts";

/** Labels or annotations: what differs between `label` and `annotate`. */
export interface MetadataMap {
  field: "labels" | "annotations";
  noun: string;
  done: string;
  undone: string;
  /** Values: labels are restricted, annotations are free text. */
  checkValue(key: string, value: string): void;
}

export interface LabelArgs extends ConnectionArgs, NamespaceArgs, SelectorArgs {
  args?: string[];
  filename?: string[];
  overwrite?: boolean;
  all?: boolean;
  output?: string;
}

export const labelCommand: CommandModule<object, LabelArgs> = {
  command: "label [args..]",
  describe: "Update the labels on resources: label TYPE NAME key=value key2-",
  builder: (y) =>
    withSelectors(withNamespace(withFilenames(withConnection(y))))
      .positional("args", { type: "string", array: true, describe: "TYPE NAME... or TYPE/NAME..., then key=value to set, key- to remove" })
      .option("overwrite", { type: "boolean", describe: "Allow changing the value of a label that is already set" })
      .option("all", { type: "boolean", describe: "Every object of the type in the namespace" })
      .option("output", { alias: "o", type: "string", describe: "name: print only kind/name" }) as unknown as Argv<LabelArgs>,
  handler: run((argv) => updateMetadataMap(argv, labelsMap)),
};

export interface LabelChanges {
  set: Record<string, string>;
  remove: string[];
}

const labelKey = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export function isLabelChange(arg: string): boolean {
  return arg.includes("=") || (arg.endsWith("-") && !arg.includes("/"));
}

export const labelsMap: MetadataMap = {
  field: "labels",
  noun: "label",
  done: "labeled",
  undone: "unlabeled",
  checkValue(key, value) {
    if (!labelValue.test(value)) throw ApiError.badRequest(`invalid label value "${value}" for "${key}": at most 63 characters (letters, digits, '-', '_', '.'), starting and ending with a letter or digit`);
  },
};

/** "a=b" sets, "a-" removes; anything else is an error naming the argument. */
export function parseLabelChanges(args: string[], map: MetadataMap = labelsMap): LabelChanges {
  const changes: LabelChanges = { set: {}, remove: [] };
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq >= 0) {
      const key = arg.slice(0, eq);
      const value = arg.slice(eq + 1);
      if (!labelKey.test(key)) throw ApiError.badRequest(`invalid ${map.noun} key "${key}": must be an optional DNS prefix and '/', then a name of at most 63 characters (letters, digits, '-', '_', '.')`);
      map.checkValue(key, value);
      changes.set[key] = value;
    } else if (arg.endsWith("-")) {
      changes.remove.push(arg.slice(0, -1));
    } else {
      throw ApiError.badRequest(`invalid ${map.noun} change "${arg}": use key=value to set or key- to remove`);
    }
  }
  for (const key of changes.remove) if (key in changes.set) throw ApiError.badRequest(`can not both modify and remove the ${map.noun} "${key}" in the same command`);
  return changes;
}

/**
 * The merge patch for one object's labels, or undefined when nothing changes.
 * Changing an existing value needs --overwrite, as in kubectl.
 */
export function labelPatch(current: Record<string, string> | undefined, changes: LabelChanges, overwrite: boolean): Record<string, string | null> | undefined {
  const labels = current ?? {};
  const patch: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(changes.set)) {
    if (labels[key] === value) continue;
    if (key in labels && !overwrite) throw ApiError.badRequest(`'${key}' already has a value (${labels[key]}), and --overwrite is false`);
    patch[key] = value;
  }
  for (const key of changes.remove) if (key in labels) patch[key] = null;
  return Object.keys(patch).length ? patch : undefined;
}

/** Split the positional arguments into resource arguments and label changes (those come last). */
export function splitLabelArgs(args: string[]): { resources: string[]; changes: string[] } {
  let i = args.length;
  while (i > 0 && isLabelChange(args[i - 1])) i--;
  return { resources: args.slice(0, i), changes: args.slice(i) };
}

/** The verb body shared by label and annotate. */
export async function updateMetadataMap(argv: LabelArgs, map: MetadataMap): Promise<number> {
  const { resources, changes: changeArgs } = splitLabelArgs(argv.args ?? []);
  if (changeArgs.length === 0) throw ApiError.badRequest(`at least one ${map.noun} change is required: key=value or key-`);
  const changes = parseLabelChanges(changeArgs, map);
  const getArgs: GetArgs = { ...argv, resources };
  const targets = await targetsFromArgs(getArgs);
  const named = targets.some((t) => t.names.length > 0);
  if (!named && !argv.all && !argv.selector && !argv["field-selector"]) throw ApiError.badRequest(`resource(s) were provided, but no name was specified; name them, or use --all or -l`);
  const client = clientFromArgs(argv);
  let failed = false;
  for (const t of targets) {
    let objs: KubeObject[];
    if (t.names.length > 0) {
      objs = [];
      for (const name of t.names) {
        try {
          objs.push(await client.get(t.rt, t.namespace, name));
        } catch (e) {
          err(formatError(e));
          failed = true;
        }
      }
    } else {
      objs = (await client.list(t.rt, t.namespace, { labelSelector: argv.selector, fieldSelector: argv["field-selector"] })).items;
    }
    for (const obj of objs) {
      const name = objectName(t.rt, obj);
      try {
        const patch = labelPatch(obj.metadata[map.field], changes, Boolean(argv.overwrite));
        if (!patch) {
          out(argv.output === "name" ? name : `${name} not ${map.done}`);
          continue;
        }
        // The resourceVersion makes the patch fail instead of overwriting a value someone changed meanwhile.
        await client.patch(t.rt, obj.metadata.namespace, obj.metadata.name!, { metadata: { [map.field]: patch, resourceVersion: obj.metadata.resourceVersion } }, "merge");
        const removedOnly = Object.values(patch).every((v) => v === null);
        out(argv.output === "name" ? name : `${name} ${removedOnly ? map.undone : map.done}`);
      } catch (e) {
        err(formatError(e));
        failed = true;
      }
    }
  }
  return failed ? 1 : 0;
}
