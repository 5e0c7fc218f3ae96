// skiff agent: turn this host into a node (kubelet + its HTTPS port). Stopping
// the agent (SIGTERM, SIGINT) leaves its pods running; a restart adopts them.
import { readFileSync } from "node:fs";
import type { Argv, CommandModule } from "yargs";
import { startAgent } from "../agent/agent.ts";
import { DEFAULT_BACKOFF } from "../agent/backoff.ts";
import { parseLabel, parseTaint } from "../agent/node-status.ts";
import { parsePortRange } from "../agent/ports.ts";
import { parseDuration } from "../api/duration.ts";
import { isValidQuantity } from "../api/quantity.ts";
import { runDaemon } from "./args.ts";

export interface AgentArgs {
  server: string;
  token?: string;
  "token-file"?: string;
  "data-dir": string;
  "node-name"?: string;
  "node-ip"?: string;
  "bind-address"?: string;
  "node-label"?: string[];
  "node-taint"?: string[];
  cpu?: string;
  memory?: string;
  "max-pods": number;
  "node-lease-duration-seconds": number;
  port?: number;
  "host-port-range"?: string;
  "crashloop-backoff-base": string;
  "crashloop-backoff-max": string;
}

/** The agent's options from its flags; throws with a clear message on bad input. */
export function agentOptions(a: AgentArgs) {
  const token = a.token ?? (a["token-file"] ? readFileSync(a["token-file"], "utf8").trim() : undefined);
  for (const [flag, v] of [["--cpu", a.cpu], ["--memory", a.memory]] as const) {
    if (v !== undefined && !isValidQuantity(v)) throw new Error(`${flag}: invalid quantity ${JSON.stringify(v)}`);
  }
  if (!Number.isInteger(a["max-pods"]) || a["max-pods"] < 1) throw new Error(`--max-pods must be a positive integer`);
  if (!(a["node-lease-duration-seconds"] >= 1)) throw new Error(`--node-lease-duration-seconds must be at least 1`);
  if (a.port !== undefined && (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535)) throw new Error(`--port must be 0-65535`);
  const baseMs = parseDuration(a["crashloop-backoff-base"]);
  const capMs = parseDuration(a["crashloop-backoff-max"]);
  return {
    server: a.server,
    ...(token ? { token } : {}),
    dataDir: a["data-dir"],
    ...(a["node-name"] ? { nodeName: a["node-name"] } : {}),
    ...(a["node-ip"] ? { nodeIP: a["node-ip"] } : {}),
    ...(a["bind-address"] ? { bindAddress: a["bind-address"] } : {}),
    labels: Object.fromEntries((a["node-label"] ?? []).map(parseLabel)),
    taints: (a["node-taint"] ?? []).map(parseTaint),
    ...(a.cpu ? { cpu: a.cpu } : {}),
    ...(a.memory ? { memory: a.memory } : {}),
    maxPods: a["max-pods"],
    leaseDurationSeconds: a["node-lease-duration-seconds"],
    ...(a.port !== undefined ? { kubeletPort: a.port } : {}),
    ...(a["host-port-range"] ? { hostPortRange: parsePortRange(a["host-port-range"]) } : {}),
    backoff: { ...DEFAULT_BACKOFF, baseMs, capMs },
  };
}

async function agent(a: AgentArgs): Promise<void> {
  // runDaemon keeps the process alive: the agent's timers are unref'd.
  await runDaemon("agent", () => startAgent(agentOptions(a)));
}

export const agentCommand: CommandModule<object, AgentArgs> = {
  command: "agent",
  describe: "Run a node agent (kubelet) that joins a skiff server",
  builder: (y: Argv) =>
    y
      .option("server", { type: "string", demandOption: true, describe: "The server's URL, e.g. https://10.0.0.1:6443" })
      .option("token", { type: "string", describe: "The node token (the server's DATA_DIR/node-token); not needed after the first join" })
      .option("token-file", { type: "string", describe: "Read the node token from this file" })
      .option("data-dir", { type: "string", default: "/var/lib/skiff/agent", describe: "Where the agent keeps its credential, containers and logs" })
      .option("node-name", { type: "string", describe: "The node's name (default: the hostname)" })
      .option("node-ip", { type: "string", describe: "The node's IP (default: --bind-address, else the host's first address)" })
      .option("bind-address", { type: "string", describe: "Address the agent's HTTPS port listens on (default 0.0.0.0)" })
      .option("node-label", { type: "string", array: true, describe: "A label for the Node, key=value (repeatable)" })
      .option("node-taint", { type: "string", array: true, describe: "A taint for the Node, key=value:Effect (repeatable)" })
      .option("cpu", { type: "string", describe: "Declared CPU capacity (default: the host's CPUs)" })
      .option("memory", { type: "string", describe: "Declared memory capacity, e.g. 4Gi (default: the host's memory)" })
      .option("max-pods", { type: "number", default: 110, describe: "Most pods this node runs" })
      .option("node-lease-duration-seconds", { type: "number", default: 40, describe: "The node Lease's duration; renewed every quarter of it" })
      .option("port", { type: "number", describe: "The agent's HTTPS port for logs (default 10250, or a free one when that is taken); 0 picks a free one" })
      .option("host-port-range", { type: "string", describe: "Host ports given to container ports without a hostPort (default 20000-29999)" })
      .option("crashloop-backoff-base", { type: "string", default: "10s", describe: "First CrashLoopBackOff delay (doubles per restart)" })
      .option("crashloop-backoff-max", { type: "string", default: "5m", describe: "Longest CrashLoopBackOff delay" }) as unknown as Argv<AgentArgs>,
  handler: agent,
};
