// skiff create: create objects from manifests (AlreadyExists is an error), or a namespace by name.
import type { Argv, CommandModule } from "yargs";
import { ApiError } from "../api/errors.ts";
import { Namespaces } from "../api/registry.ts";
import type { KubeObject } from "../api/types.ts";
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
import { readManifests, targetNamespace } from "./manifests.ts";
import { objectName } from "./output.ts";

export interface CreateArgs extends ConnectionArgs, DryRunArgs {
  filename?: string[];
  namespace?: string;
  output?: string;
  kind?: string;
  name?: string;
}

export const createCommand: CommandModule<object, CreateArgs> = {
  command: "create [kind] [name]",
  describe: "Create resources from manifests (-f FILE|DIR|-), or: create namespace NAME",
  builder: (y) =>
    withDryRun(withFilenames(withConnection(y)))
      .positional("kind", { type: "string", describe: "namespace (the only kind created by name)" })
      .positional("name", { type: "string" })
      .option("namespace", { alias: "n", type: "string", describe: "Namespace for objects that do not name one" })
      .option("output", { alias: "o", type: "string", describe: "name: print only kind/name" }) as unknown as Argv<CreateArgs>,
  handler: run(create),
};

async function create(argv: CreateArgs): Promise<number> {
  if (argv.kind) return await createByName(argv);
  if (!argv.filename?.length) throw ApiError.badRequest("create needs -f FILE, a directory, or - for stdin (or: create namespace NAME)");
  const manifests = await readManifests(argv.filename);
  const objs = manifests.map((m) => {
    const obj = structuredClone(m.obj);
    const ns = targetNamespace(m, argv.namespace);
    if (ns) obj.metadata.namespace = ns;
    else delete obj.metadata.namespace;
    return obj;
  });
  const mode = dryRunFrom(argv);
  const client = clientFromArgs(argv);
  let failed = false;
  for (let i = 0; i < manifests.length; i++) {
    const m = manifests[i];
    try {
      const created = mode === "client" ? objs[i] : await client.create(m.rt, objs[i]);
      const name = objectName(m.rt, created);
      out(argv.output === "name" ? name : `${name} created${dryRunSuffix(mode)}`);
    } catch (e) {
      if (isUnreachable(e)) throw e;
      err(formatError(e, `error when creating "${m.source}"`));
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

async function createByName(argv: CreateArgs): Promise<number> {
  const kind = argv.kind!.toLowerCase();
  if (kind !== "namespace" && kind !== "ns") throw ApiError.badRequest(`create ${argv.kind} NAME is not supported; write a manifest and use create -f`);
  if (!argv.name) throw ApiError.badRequest("create namespace needs a NAME");
  const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: argv.name } };
  const mode = dryRunFrom(argv);
  const created = mode === "client" ? ns : await clientFromArgs(argv).create(Namespaces, ns);
  const name = objectName(Namespaces, created);
  out(argv.output === "name" ? name : `${name} created${dryRunSuffix(mode)}`);
  return 0;
}
