// The components `skiff server` runs next to the API, each a client of it
// through the in-process ApiClient (same admission and authorization path as
// any remote client). Adding one is adding an entry here; each can be
// switched off from the command line.
import { startEmbeddedAgent } from "../agent/embedded.ts";
import { startControllerManager } from "../controllers/manager.ts";
import { startScheduler } from "../scheduler/scheduler.ts";
import type { RunningServer, ServerOptions } from "./server.ts";

export interface ComponentHandle {
  stop(): void | Promise<void>;
}

export interface Component {
  name: string;
  enabled(opts: ServerOptions): boolean;
  start(server: RunningServer, opts: ServerOptions): ComponentHandle | Promise<ComponentHandle>;
}

export const components: Component[] = [
  {
    name: "scheduler",
    enabled: (o) => !o.disableScheduler,
    start: (s) => startScheduler(s.client),
  },
  {
    name: "controllers",
    // An empty list (--controllers "") runs none; absent runs all ("*").
    enabled: (o) => o.controllers === undefined || o.controllers.some((c) => c.trim() !== ""),
    start: (s, o) =>
      startControllerManager(s.client, {
        controllers: o.controllers,
        nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs,
        defaultUnreachableTolerationSeconds: o.defaultUnreachableTolerationSeconds,
      }),
  },
  {
    name: "agent",
    enabled: (o) => !o.disableAgent,
    start: (s, o) => startEmbeddedAgent(s, o),
  },
];
