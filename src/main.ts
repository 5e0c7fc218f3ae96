#!/usr/bin/env bun
// skiff's entry point: the command tree and nothing else. Each verb lives in
// its own file under src/cli/ and exports a yargs CommandModule.
import yargs, { type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { agentCommand } from "./cli/agent.ts";
import { applyCommand } from "./cli/apply.ts";
import { normalizeArgv } from "./cli/args.ts";
import { createCommand } from "./cli/create.ts";
import { deleteCommand } from "./cli/delete.ts";
import { describeCommand } from "./cli/describe.ts";
import { getCommand } from "./cli/get.ts";
import { labelCommand } from "./cli/label.ts";
import { logsCommand } from "./cli/logs.ts";
import { rolloutCommand } from "./cli/rollout.ts";
import { scaleCommand } from "./cli/scale.ts";
import { serverCommand } from "./cli/server.ts";
import { versionCommand } from "./cli/version.ts";

// Add a verb: import its CommandModule above and list it here.
const commands: CommandModule<object, never>[] = [
  getCommand,
  describeCommand,
  applyCommand,
  createCommand,
  deleteCommand,
  labelCommand,
  logsCommand,
  scaleCommand,
  rolloutCommand,
  serverCommand,
  agentCommand,
  versionCommand,
] as CommandModule<object, never>[];

async function main(argv: string[]): Promise<void> {
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
      const verb = argv.find((a) => !a.startsWith("-"));
      const known = commands.map((c) => String(c.command).split(" ")[0]);
      const line = verb && !known.includes(verb) ? `unknown command "${verb}" for "skiff"` : msg;
      process.stderr.write(`error: ${line}\nSee 'skiff --help' for usage.\n`);
      process.exit(1);
    });
  for (const c of commands) cli = cli.command(c);
  await cli.parseAsync();
}

await main(normalizeArgv(hideBin(process.argv)));
