// The agent's Kubernetes flags, for `hostpilot-agent run` to merge into its own
// parseArgs options, and the one place they are validated.
import { boolFlag, stringFlag, type ParsedFlags } from '../../common/cli.js';
import { parseDuration } from '../../common/duration.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { validateNodeId } from '../../common/names.js';
import { validateDrainConfig, type DrainConfig } from './drainer.js';

export const K8S_FLAG_OPTIONS = {
  kubernetes: { type: 'boolean' },
  kubeconfig: { type: 'string' },
  'k8s-node-name': { type: 'string' },
  'drain-timeout': { type: 'string' },
  'drain-timeout-policy': { type: 'string' },
  'drain-grace-period': { type: 'string' },
  'drain-pod-selector': { type: 'string' },
  'blocking-pod-selector': { type: 'string' },
} as const;

export const K8S_USAGE = `Kubernetes (cordon/drain around reboots, node labels and conditions):
  --kubernetes                 enable; implied by --kubeconfig or by running in a pod
  --kubeconfig FILE            API credentials [in-cluster service account]
  --k8s-node-name NAME         the Node object [the node id]
  --drain-timeout DURATION     evictions may take this long in total [10m]
  --drain-timeout-policy P     block (do not reboot, uncordon, release the lock) | force (delete the rest) [block]
  --drain-grace-period DUR     grace period for evicted pods [each pod's own]
  --drain-pod-selector SEL     evict only pods matching this label selector [all]
  --blocking-pod-selector SEL  any pod on the node matching this selector blocks the reboot [none]`;

export interface K8sConfig {
  kubeconfig?: string;
  drain: DrainConfig;
}

/** Undefined when Kubernetes integration is off. `inCluster` is whether KUBERNETES_SERVICE_HOST is set. */
export function parseK8sFlags(flags: ParsedFlags, nodeId: string, inCluster: boolean): K8sConfig | undefined {
  const kubeconfig = stringFlag(flags, 'kubeconfig');
  if (!boolFlag(flags, 'kubernetes') && !kubeconfig && !inCluster) return undefined;
  const policy = stringFlag(flags, 'drain-timeout-policy') ?? 'block';
  if (policy !== 'block' && policy !== 'force') throw new InvalidArgumentError('--drain-timeout-policy', `${JSON.stringify(policy)} is not block or force`);
  const grace = stringFlag(flags, 'drain-grace-period');
  const nodeName = validateNodeId(stringFlag(flags, 'k8s-node-name') ?? nodeId, '--k8s-node-name');
  const drainTimeoutMs = parseDuration(stringFlag(flags, 'drain-timeout') ?? '10m', '--drain-timeout');
  if (drainTimeoutMs <= 0) throw new InvalidArgumentError('--drain-timeout', 'must be positive');
  const drain: DrainConfig = {
    nodeName,
    drainTimeoutMs,
    timeoutPolicy: policy,
    ...(grace !== undefined ? { gracePeriodSeconds: Math.round(parseDuration(grace, '--drain-grace-period') / 1000) } : {}),
    ...(stringFlag(flags, 'drain-pod-selector') ? { drainPodSelector: stringFlag(flags, 'drain-pod-selector') } : {}),
    ...(stringFlag(flags, 'blocking-pod-selector') ? { blockingPodSelector: stringFlag(flags, 'blocking-pod-selector') } : {}),
  };
  return { ...(kubeconfig ? { kubeconfig } : {}), drain: validateDrainConfig(drain) };
}
