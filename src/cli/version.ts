// skiff version: the client's version and the server's /version.
import type { Argv, CommandModule } from "yargs";
import pkg from "../../package.json" with { type: "json" };
import { ApiError } from "../api/errors.ts";
import { type ConnectionArgs, clientFromArgs, formatError, out, run, withConnection } from "./args.ts";
import { parseOutput, serialize } from "./output.ts";

export interface VersionArgs extends ConnectionArgs {
  client?: boolean;
  output?: string;
}

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  platform?: string;
  [field: string]: unknown;
}

export function clientVersion(): VersionInfo {
  const [major = "0", minor = "0"] = pkg.version.split(".");
  return { major, minor, gitVersion: `v${pkg.version}`, platform: `${process.platform}/${process.arch}`, runtime: `bun ${Bun.version}` };
}

export const versionCommand: CommandModule<object, VersionArgs> = {
  command: "version",
  describe: "Print the client and server versions",
  builder: (y) =>
    withConnection(y)
      .option("client", { type: "boolean", describe: "Only the client version (no server needed)" })
      .option("output", { alias: "o", type: "string", describe: "json or yaml" }) as unknown as Argv<VersionArgs>,
  handler: run(version),
};

async function version(argv: VersionArgs): Promise<number> {
  const format = argv.output ? parseOutput(argv.output) : "table";
  if (format !== "table" && format !== "json" && format !== "yaml") throw ApiError.badRequest(`--output must be json or yaml, not ${argv.output}`);
  const client = clientVersion();
  let server: VersionInfo | undefined;
  let failure: unknown;
  if (!argv.client) {
    try {
      const res = await clientFromArgs(argv).request("GET", "/version");
      server = (await res.json()) as VersionInfo;
    } catch (e) {
      failure = e;
    }
  }
  if (format === "json" || format === "yaml") {
    out(serialize({ clientVersion: client, ...(server ? { serverVersion: server } : {}) }, format));
  } else {
    out(`Client Version: ${client.gitVersion}`);
    if (server) out(`Server Version: ${server.gitVersion}`);
  }
  if (failure) {
    process.stderr.write(formatError(failure) + "\n");
    return 1;
  }
  return 0;
}
