// skiff logs POD [-c CONTAINER] [-f] [--tail N] [--previous] [--timestamps]:
// the API server's pods/{name}/log, which it serves from the node's agent.
import type { Argv, CommandModule } from "yargs";
import { parseDuration } from "../api/duration.ts";
import { ApiError } from "../api/errors.ts";
import { errorFromResponse } from "../client/api-client.ts";
import { type ConnectionArgs, type NamespaceArgs, clientFromArgs, namespaceFrom, run, withConnection, withNamespace } from "./args.ts";

export interface LogsArgs extends ConnectionArgs, NamespaceArgs {
  pod: string;
  container?: string;
  follow?: boolean;
  tail?: number;
  previous?: boolean;
  timestamps?: boolean;
  since?: string;
  "limit-bytes"?: number;
}

/** The pods/{name}/log path with kubectl's query parameters. */
export function logPath(namespace: string, argv: Pick<LogsArgs, "pod" | "container" | "follow" | "tail" | "previous" | "timestamps" | "since" | "limit-bytes">): string {
  const name = argv.pod.replace(/^(pods?|po)\//, "");
  if (!name || name.includes("/")) throw ApiError.badRequest(`expected a pod name (or pod/NAME), got ${JSON.stringify(argv.pod)}`);
  if (argv.tail !== undefined && (!Number.isInteger(argv.tail) || argv.tail < -1)) throw ApiError.badRequest(`--tail must be an integer >= -1, got ${argv.tail}`);
  const q = new URLSearchParams();
  if (argv.container) q.set("container", argv.container);
  if (argv.follow) q.set("follow", "true");
  if (argv.tail !== undefined && argv.tail >= 0) q.set("tailLines", String(argv.tail));
  if (argv.previous) q.set("previous", "true");
  if (argv.timestamps) q.set("timestamps", "true");
  if (argv.since !== undefined) q.set("sinceSeconds", String(Math.max(1, Math.ceil(parseDuration(argv.since) / 1000))));
  if (argv["limit-bytes"] !== undefined) {
    if (!Number.isInteger(argv["limit-bytes"]) || argv["limit-bytes"] < 1) throw ApiError.badRequest(`--limit-bytes must be a positive integer, got ${argv["limit-bytes"]}`);
    q.set("limitBytes", String(argv["limit-bytes"]));
  }
  const qs = q.toString();
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log${qs ? `?${qs}` : ""}`;
}

async function logs(argv: LogsArgs): Promise<void> {
  const client = clientFromArgs(argv);
  const res = await client.send("GET", logPath(namespaceFrom(argv), argv), undefined, { Accept: "text/plain, */*" }, undefined, argv.follow === true);
  if (!res.ok) throw await errorFromResponse(res);
  if (!res.body) return;
  for await (const chunk of res.body) process.stdout.write(chunk);
}

export const logsCommand: CommandModule<object, LogsArgs> = {
  command: "logs <pod>",
  describe: "Print the logs of a container in a pod",
  builder: (y: Argv) =>
    withNamespace(withConnection(y), false)
      .positional("pod", { type: "string", demandOption: true, describe: "POD or pod/POD" })
      .option("container", { alias: "c", type: "string", describe: "The container (needed when the pod has several)" })
      .option("follow", { alias: "f", type: "boolean", describe: "Stream the log as it grows" })
      .option("tail", { type: "number", describe: "Lines of recent log to show (-1: all)" })
      .option("previous", { alias: "p", type: "boolean", describe: "The previous instance of the container (after a restart)" })
      .option("timestamps", { type: "boolean", describe: "Prefix each line with when it was written (to about a second)" })
      .option("since", { type: "string", describe: "Only lines newer than this duration, e.g. 5s, 2m, 3h" })
      .option("limit-bytes", { type: "number", describe: "Print at most this many bytes" }) as unknown as Argv<LogsArgs>,
  handler: run(logs),
};
