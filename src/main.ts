#!/usr/bin/env bun
// skiff's entry point: the command tree and nothing else. Each verb lives in
// its own file under src/cli/ and exports a yargs CommandModule.
//
// Verbs are loaded on demand: the server and agent pull in PKI and runtime code
// that costs hundreds of milliseconds to load, which `skiff get` should not pay.
import yargs, { type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { normalizeArgv } from "./cli/args.ts";

type Verb = CommandModule<object, never>;

// Add a verb: its name and how to load its CommandModule.
const verbs: Record<string, () => Promise<Verb>> = {
  get: async () => (await import("./cli/get.ts")).getCommand as Verb,
  describe: async () => (await import("./cli/describe.ts")).describeCommand as Verb,
  apply: async () => (await import("./cli/apply.ts")).applyCommand as Verb,
  diff: async () => (await import("./cli/diff.ts")).diffCommand as Verb,
  create: async () => (await import("./cli/create.ts")).createCommand as Verb,
  delete: async () => (await import("./cli/delete.ts")).deleteCommand as Verb,
  label: async () => (await import("./cli/label.ts")).labelCommand as Verb,
  annotate: async () => (await import("./cli/annotate.ts")).annotateCommand as Verb,
  wait: async () => (await import("./cli/wait.ts")).waitCommand as Verb,
  cordon: async () => (await import("./cli/cordon.ts")).cordonCommand as Verb,
  uncordon: async () => (await import("./cli/cordon.ts")).uncordonCommand as Verb,
  drain: async () => (await import("./cli/drain.ts")).drainCommand as Verb,
  logs: async () => (await import("./cli/logs.ts")).logsCommand as Verb,
  scale: async () => (await import("./cli/scale.ts")).scaleCommand as Verb,
  rollout: async () => (await import("./cli/rollout.ts")).rolloutCommand as Verb,
  server: async () => (await import("./cli/server.ts")).serverCommand as Verb,
  agent: async () => (await import("./cli/agent.ts")).agentCommand as Verb,
  "api-resources": async () => (await import("./cli/api-resources.ts")).apiResourcesCommand as Verb,
  "api-versions": async () => (await import("./cli/api-resources.ts")).apiVersionsCommand as Verb,
  version: async () => (await import("./cli/version.ts")).versionCommand as Verb,
};

/** The verb the arguments name, if any (the first non-flag argument). */
function verbOf(argv: string[]): string | undefined {
  const first = argv.find((a) => !a.startsWith("-"));
  return first !== undefined && first in verbs ? first : undefined;
}

async function main(argv: string[]): Promise<void> {
  const verb = verbOf(argv);
  // Only the named verb is loaded; without one (help, typos) all are, so help lists them.
  const commands = await Promise.all((verb ? [verbs[verb]] : Object.values(verbs)).map((load) => load()));
  let cli = yargs(argv)
    .scriptName("skiff")
    .usage("skiff: a single-binary container orchestrator\n\nUsage: skiff <command> [options]")
    .strict()
    .demandCommand(1, "a command is required; see skiff --help")
    .help()
    .alias("h", "help")
    .version(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      // Usage errors: one line plus a hint; errors from verbs are printed by the verb itself.
      if (err) throw err;
      const first = argv.find((a) => !a.startsWith("-"));
      const line = first && !(first in verbs) ? `unknown command "${first}" for "skiff"` : msg;
      process.stderr.write(`error: ${line}\nSee 'skiff --help' for usage.\n`);
      process.exit(1);
    });
  for (const c of commands) cli = cli.command(c);
  skipHelpCache(cli);
  await cli.parseAsync();
}

/**
 * yargs renders the whole help text after running a command, to have it at hand
 * should the command fail later; skiff's .fail() never prints it. Rendering lays
 * out every option through wrap-ansi/string-width (Intl.Segmenter and Unicode-
 * property regexes per word): about 2 MiB of RSS that a long-running agent or
 * server kept for nothing (measured on the compiled binary). --help still renders.
 */
function skipHelpCache(cli: object): void {
  const usage = (cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};
}

/** `skiff help [verb]` is `skiff [verb] --help`, as with kubectl. */
function helpAsFlag(argv: string[]): string[] {
  return argv[0] === "help" ? [...argv.slice(1), "--help"] : argv;
}

// Start-up is a burst of code that runs once (argument parsing, certificates,
// the first lists and syncs) which the JIT would compile in all its tiers anyway:
// machine code and compiler pages a long-running server or agent then keeps
// resident (several MiB of idle RSS). Tier-up is made reluctant until the verb's
// handler returns (for `server` and `agent`: once they are up), then normal, so
// code that is hot under load is compiled as usual. The compiled binary starts
// with the same scale (--compile-jit-policy in package.json's build), which also
// covers the evaluation of the imports above; this line covers `bun src/main.ts`.
const startupJitScale = 100;
Bun.unsafe.setJITPolicy(startupJitScale);

main(helpAsFlag(normalizeArgv(hideBin(process.argv))))
  .catch((err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => Bun.unsafe.setJITPolicy(1));
