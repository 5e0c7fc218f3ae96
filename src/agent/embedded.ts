// The agent `skiff server` runs in-process (unless --disable-agent): it joins
// with the server's node token through app.fetch — the same join, credential
// and node authorization as a remote agent, without a network hop — and keeps
// its state in DATA/agent. Node name: the hostname (lower-cased for DNS-1123).
import { hostname } from "node:os";
import { join } from "node:path";
import type { RunningServer, ServerOptions } from "../server/server.ts";
import { startAgent, type RunningAgent } from "./agent.ts";

function specificAddress(addr: string | undefined): string | undefined {
  return addr && addr !== "0.0.0.0" && addr !== "::" ? addr : undefined;
}

export function startEmbeddedAgent(s: RunningServer, o: ServerOptions): Promise<RunningAgent> {
  // A server bound to one address (127.0.0.1 in tests) makes that the node's address too.
  const address = specificAddress(o.bindAddress);
  return startAgent({
    dataDir: join(s.dataDir, "agent"),
    server: s.url,
    token: s.nodeToken,
    fetch: (req) => s.app.fetch(req),
    nodeName: hostname().toLowerCase(),
    // As k3s does: the node that runs the control plane says so (ROLES column, nodeSelectors).
    labels: { "node-role.kubernetes.io/control-plane": "true" },
    ...(address ? { nodeIP: address, bindAddress: address } : {}),
  });
}
