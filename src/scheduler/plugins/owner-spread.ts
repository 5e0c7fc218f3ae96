// OwnerSpread (Kubernetes' SelectorSpread / default topology spreading): pods
// of one owner (ReplicaSet, StatefulSet, Job, …) prefer nodes, and zones
// (topology.kubernetes.io/zone) when nodes carry them, holding fewer of their
// siblings. Pods with their own topologySpreadConstraints are left to those.
import { ZONE_LABEL, type OwnerCounts } from "../cache.ts";
import { MAX_NODE_SCORE, type Plugin } from "../framework.ts";

// As in Kubernetes: zone spreading counts twice as much as node spreading.
const ZONE_WEIGHT = 2 / 3;

interface State {
  owner: OwnerCounts;
  maxNode: number;
  maxZone: number;
  zoned: boolean;
}

const STATE = "OwnerSpread";

export const OwnerSpread: Plugin = {
  name: "OwnerSpread",
  weight: 2,
  preScore(pod, nodes, snap, state) {
    if (!pod.ownerUid || pod.spread.length) return "skip";
    const owner = snap.ownerCounts(pod.ownerUid);
    if (!owner) return "skip";
    let maxNode = 0;
    let maxZone = 0;
    let zoned = false;
    for (const ni of nodes) {
      maxNode = Math.max(maxNode, owner.byNode.get(ni.name) ?? 0);
      const z = ni.labels[ZONE_LABEL];
      if (z === undefined) continue;
      zoned = true;
      maxZone = Math.max(maxZone, owner.byZone.get(z) ?? 0);
    }
    state.write<State>(STATE, { owner, maxNode, maxZone, zoned });
  },
  score(_pod, node, _snap, state) {
    const s = state.read<State>(STATE)!;
    const n = s.owner.byNode.get(node.name) ?? 0;
    const nodeScore = s.maxNode === 0 ? MAX_NODE_SCORE : (MAX_NODE_SCORE * (s.maxNode - n)) / s.maxNode;
    const zone = node.labels[ZONE_LABEL];
    if (!s.zoned || zone === undefined) return nodeScore;
    const z = s.owner.byZone.get(zone) ?? 0;
    const zoneScore = s.maxZone === 0 ? MAX_NODE_SCORE : (MAX_NODE_SCORE * (s.maxZone - z)) / s.maxZone;
    return nodeScore * (1 - ZONE_WEIGHT) + zoneScore * ZONE_WEIGHT;
  },
};
