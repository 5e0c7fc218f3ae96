// NodeAffinity: `nodeSelector` and required node affinity filter nodes;
// preferred node affinity adds its weights to the nodes it matches.
import { nodeSelectorTermMatches } from "../../api/selectors.ts";
import type { Pod } from "../../api/types.ts";
import { normalizeByMax, type Plugin } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";

export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/** nodeSelector (every label equal) and, if any, one of the required terms. */
export function nodeMatchesPod(pod: Pod, node: NodeInfo): boolean {
  const sel = pod.spec.nodeSelector;
  if (sel) for (const k in sel) if (node.labels[k] !== sel[k]) return false;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required || !node.node) return true;
  return required.nodeSelectorTerms.some((term) => nodeSelectorTermMatches(term, node.node!));
}

export const NodeAffinity: Plugin = {
  name: "NodeAffinity",
  weight: 2,
  preFilter: (pod) => (pod.pod.spec.nodeSelector || pod.pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ? undefined : "skip"),
  filter: (pod, node) => (nodeMatchesPod(pod.pod, node) ? undefined : ERR_NODE_AFFINITY),
  preScore: (pod) => (pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ? undefined : "skip"),
  score(pod, node) {
    let sum = 0;
    for (const p of pod.pod.spec.affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution!) {
      if (p.weight && node.node && nodeSelectorTermMatches(p.preference, node.node)) sum += p.weight;
    }
    return sum;
  },
  normalize: (scores) => normalizeByMax(scores, false),
};
