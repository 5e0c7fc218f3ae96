// The JSON shapes of every kind (the fields types.ts declares), for
// checkShape in admission. Keep in step with src/api/types.ts.
import { any, bool, int, intOrString, list, map, obj, type Shape, str, stringMap, strings } from "../schema.ts";

const ownerReference = obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool });

export const objectMeta = obj({
  name: str,
  generateName: str,
  namespace: str,
  uid: str,
  resourceVersion: str,
  generation: int,
  creationTimestamp: str,
  deletionTimestamp: str,
  deletionGracePeriodSeconds: int,
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: list(ownerReference),
  finalizers: strings,
});

const labelSelector = obj({ matchLabels: stringMap, matchExpressions: list(obj({ key: str, operator: str, values: strings })) });
const condition = obj({ type: str, status: str, reason: str, message: str, lastTransitionTime: str, lastUpdateTime: str, lastHeartbeatTime: str, observedGeneration: int });
const conditions = list(condition);
const keySelector = obj({ name: str, key: str, optional: bool });

const probe = obj({
  exec: obj({ command: strings }),
  httpGet: obj({ path: str, port: intOrString, host: str, scheme: str, httpHeaders: list(obj({ name: str, value: str })) }),
  tcpSocket: obj({ port: intOrString, host: str }),
  initialDelaySeconds: int,
  timeoutSeconds: int,
  periodSeconds: int,
  successThreshold: int,
  failureThreshold: int,
  terminationGracePeriodSeconds: int,
});

const container = obj({
  name: str,
  image: str,
  command: strings,
  args: strings,
  workingDir: str,
  ports: list(obj({ name: str, containerPort: int, hostPort: int, hostIP: str, protocol: str })),
  env: list(
    obj({
      name: str,
      value: str,
      valueFrom: obj({
        fieldRef: obj({ fieldPath: str, apiVersion: str }),
        configMapKeyRef: keySelector,
        secretKeyRef: keySelector,
        resourceFieldRef: obj({ containerName: str, resource: str, divisor: intOrString }),
      }),
    }),
  ),
  envFrom: list(obj({ prefix: str, configMapRef: obj({ name: str, optional: bool }), secretRef: obj({ name: str, optional: bool }) })),
  resources: obj({ requests: map(intOrString), limits: map(intOrString) }),
  volumeMounts: list(obj({ name: str, mountPath: str, readOnly: bool, subPath: str })),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  imagePullPolicy: str,
  terminationMessagePath: str,
  terminationMessagePolicy: str,
});

const keyToPath = list(obj({ key: str, path: str, mode: int }));
const volume = obj({
  name: str,
  emptyDir: obj({ medium: str, sizeLimit: intOrString }),
  hostPath: obj({ path: str, type: str }),
  configMap: obj({ name: str, items: keyToPath, defaultMode: int, optional: bool }),
  secret: obj({ secretName: str, items: keyToPath, defaultMode: int, optional: bool }),
});

const nodeSelectorRequirement = obj({ key: str, operator: str, values: strings });
const nodeSelectorTerm = obj({ matchExpressions: list(nodeSelectorRequirement), matchFields: list(nodeSelectorRequirement) });
const podAffinityTerm = obj({ labelSelector, namespaces: strings, namespaceSelector: labelSelector, topologyKey: str });
const podAffinity = obj({
  requiredDuringSchedulingIgnoredDuringExecution: list(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: list(obj({ weight: int, podAffinityTerm })),
});

export const podSpec = obj({
  containers: list(container),
  initContainers: list(container),
  volumes: list(volume),
  restartPolicy: str,
  terminationGracePeriodSeconds: int,
  activeDeadlineSeconds: int,
  nodeName: str,
  nodeSelector: stringMap,
  affinity: obj({
    nodeAffinity: obj({
      requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: list(nodeSelectorTerm) }),
      preferredDuringSchedulingIgnoredDuringExecution: list(obj({ weight: int, preference: nodeSelectorTerm })),
    }),
    podAffinity,
    podAntiAffinity: podAffinity,
  }),
  tolerations: list(obj({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int })),
  topologySpreadConstraints: list(obj({ maxSkew: int, topologyKey: str, whenUnsatisfiable: str, labelSelector, minDomains: int })),
  schedulerName: str,
  priority: int,
  priorityClassName: str,
  hostNetwork: bool,
  serviceAccountName: str,
  dnsPolicy: str,
  securityContext: map(any),
});

const containerState = obj({
  waiting: obj({ reason: str, message: str }),
  running: obj({ startedAt: str }),
  terminated: obj({ exitCode: int, signal: int, reason: str, message: str, startedAt: str, finishedAt: str }),
});
const containerStatus = obj({ name: str, state: containerState, lastState: containerState, ready: bool, started: bool, restartCount: int, image: str, imageID: str, containerID: str });

const podStatus = obj({
  phase: str,
  conditions,
  message: str,
  reason: str,
  hostIP: str,
  podIP: str,
  podIPs: list(obj({ ip: str })),
  startTime: str,
  initContainerStatuses: list(containerStatus),
  containerStatuses: list(containerStatus),
  nominatedNodeName: str,
});

const template = obj({ metadata: objectMeta, spec: podSpec });
const replicaStatus = obj({ replicas: int, fullyLabeledReplicas: int, readyReplicas: int, availableReplicas: int, observedGeneration: int, conditions });

const jobSpec = obj({
  parallelism: int,
  completions: int,
  backoffLimit: int,
  activeDeadlineSeconds: int,
  ttlSecondsAfterFinished: int,
  completionMode: str,
  suspend: bool,
  selector: labelSelector,
  manualSelector: bool,
  template,
});

const objectReference = obj({ apiVersion: str, kind: str, namespace: str, name: str, uid: str, resourceVersion: str, fieldPath: str });

/** Top-level shapes per kind (besides apiVersion/kind, which the server checks). */
export const kindShapes: Record<string, Shape> = {
  Pod: obj({ metadata: objectMeta, spec: podSpec, status: podStatus }),
  Node: obj({
    metadata: objectMeta,
    spec: obj({ unschedulable: bool, taints: list(obj({ key: str, value: str, effect: str, timeAdded: str })), podCIDR: str, providerID: str }),
    status: obj({
      capacity: map(intOrString),
      allocatable: map(intOrString),
      conditions,
      addresses: list(obj({ type: str, address: str })),
      nodeInfo: stringMap,
    }),
  }),
  Namespace: obj({ metadata: objectMeta, spec: obj({ finalizers: strings }), status: obj({ phase: str }) }),
  Service: obj({
    metadata: objectMeta,
    spec: obj({
      type: str,
      selector: stringMap,
      ports: list(obj({ name: str, protocol: str, port: int, targetPort: intOrString, nodePort: int })),
      clusterIP: str,
      clusterIPs: strings,
      externalName: str,
      sessionAffinity: str,
    }),
  }),
  Endpoints: obj({
    metadata: objectMeta,
    subsets: list(
      obj({
        addresses: list(obj({ ip: str, hostname: str, nodeName: str, targetRef: obj({ kind: str, namespace: str, name: str, uid: str }) })),
        notReadyAddresses: list(obj({ ip: str, hostname: str, nodeName: str })),
        ports: list(obj({ name: str, port: int, protocol: str })),
      }),
    ),
  }),
  ConfigMap: obj({ metadata: objectMeta, data: stringMap, binaryData: stringMap, immutable: bool }),
  Secret: obj({ metadata: objectMeta, type: str, data: stringMap, stringData: stringMap, immutable: bool }),
  Event: obj({ metadata: objectMeta, involvedObject: objectReference, reason: str, message: str, type: str, count: int, firstTimestamp: str, lastTimestamp: str, source: obj({ component: str, host: str }) }),
  ReplicationController: obj({ metadata: objectMeta, spec: obj({ replicas: int, minReadySeconds: int, selector: stringMap, template }), status: replicaStatus }),
  Lease: obj({ metadata: objectMeta, spec: obj({ holderIdentity: str, leaseDurationSeconds: int, acquireTime: str, renewTime: str, leaseTransitions: int }) }),
  Deployment: obj({
    metadata: objectMeta,
    spec: obj({
      replicas: int,
      selector: labelSelector,
      template,
      strategy: obj({ type: str, rollingUpdate: obj({ maxSurge: intOrString, maxUnavailable: intOrString }) }),
      minReadySeconds: int,
      revisionHistoryLimit: int,
      paused: bool,
      progressDeadlineSeconds: int,
    }),
    status: obj({ observedGeneration: int, replicas: int, updatedReplicas: int, readyReplicas: int, availableReplicas: int, unavailableReplicas: int, conditions, collisionCount: int }),
  }),
  ReplicaSet: obj({ metadata: objectMeta, spec: obj({ replicas: int, minReadySeconds: int, selector: labelSelector, template }), status: replicaStatus }),
  DaemonSet: obj({
    metadata: objectMeta,
    spec: obj({
      selector: labelSelector,
      template,
      updateStrategy: obj({ type: str, rollingUpdate: obj({ maxUnavailable: intOrString, maxSurge: intOrString }) }),
      minReadySeconds: int,
      revisionHistoryLimit: int,
    }),
    status: obj({
      currentNumberScheduled: int,
      numberMisscheduled: int,
      desiredNumberScheduled: int,
      numberReady: int,
      observedGeneration: int,
      updatedNumberScheduled: int,
      numberAvailable: int,
      numberUnavailable: int,
      conditions,
    }),
  }),
  ControllerRevision: obj({ metadata: objectMeta, data: any, revision: int }),
  Job: obj({
    metadata: objectMeta,
    spec: jobSpec,
    status: obj({ active: int, succeeded: int, failed: int, startTime: str, completionTime: str, conditions }),
  }),
  CronJob: obj({
    metadata: objectMeta,
    spec: obj({
      schedule: str,
      timeZone: str,
      startingDeadlineSeconds: int,
      concurrencyPolicy: str,
      suspend: bool,
      successfulJobsHistoryLimit: int,
      failedJobsHistoryLimit: int,
      jobTemplate: obj({ metadata: objectMeta, spec: jobSpec }),
    }),
    status: obj({ active: list(objectReference), lastScheduleTime: str, lastSuccessfulTime: str }),
  }),
};
