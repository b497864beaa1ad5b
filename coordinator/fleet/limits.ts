// Bounds on everything a node sends about itself. Every field ends up in the
// store, in memory for the life of the process and in ListNodes replies, so an
// unbounded one lets any node with a valid certificate (or anything on
// loopback without TLS) grow the coordinator's memory and make ListNodes
// exceed gRPC's message limit for every operator. A field over its bound is
// refused (INVALID_ARGUMENT naming it), never truncated: a record is either
// what the node said or not kept. The bounds are generous for real values:
// a hostname is at most 253 characters (RFC 1035), an OSTree checksum 64 hex
// digits, an image digest "sha256:" and 64 more.
import { InvalidArgumentError } from '../../common/errors.js';
import type { Condition__Output } from '../../proto/generated/hostpilot/v1/Condition.js';
import type { Deployment__Output } from '../../proto/generated/hostpilot/v1/Deployment.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { OsFacts__Output } from '../../proto/generated/hostpilot/v1/OsFacts.js';
import type { RegisterRequest__Output } from '../../proto/generated/hostpilot/v1/RegisterRequest.js';

export const LIMITS = {
  hostname: 253,
  osFact: 256,
  agentVersion: 128,
  deployments: 16,
  deploymentField: 256,
  /** Origin refspecs and container image references. */
  deploymentOrigin: 1024,
  flowState: 64,
  // A target may be 512 characters (common/api/target.ts); a resolved image target adds its digest.
  flowTarget: 1024,
  flowError: 2048,
  conditions: 64,
  conditionField: 128,
  conditionMessage: 1024,
  /** A remediation order id is `<node>/<episode>/<step>`. */
  remediationId: 320,
  remediationMessage: 2048,
} as const;

// Control characters garble tables and logs; messages may span lines.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function text(value: string, max: number, field: string, multiline = false): void {
  if (value.length > max) throw new InvalidArgumentError(field, `${value.length} characters, at most ${max}`);
  if ((multiline ? CONTROL_BUT_LINES : CONTROL).test(value)) throw new InvalidArgumentError(field, 'contains control characters');
}

function checkOs(os: OsFacts__Output | null): void {
  if (!os) return;
  for (const name of ['distro', 'release', 'kernel', 'arch', 'boot_id'] as const) text(os[name], LIMITS.osFact, `os.${name}`);
}

function checkDeployments(deployments: Deployment__Output[]): void {
  if (deployments.length > LIMITS.deployments) throw new InvalidArgumentError('deployments', `${deployments.length} deployments, at most ${LIMITS.deployments}`);
  deployments.forEach((d, i) => {
    for (const name of ['id', 'osname', 'checksum', 'version'] as const) text(d[name], LIMITS.deploymentField, `deployments[${i}].${name}`);
    text(d.origin, LIMITS.deploymentOrigin, `deployments[${i}].origin`);
  });
}

function checkConditions(conditions: Condition__Output[]): void {
  if (conditions.length > LIMITS.conditions) throw new InvalidArgumentError('conditions', `${conditions.length} conditions, at most ${LIMITS.conditions}`);
  conditions.forEach((c, i) => {
    text(c.type, LIMITS.conditionField, `conditions[${i}].type`);
    text(c.reason, LIMITS.conditionField, `conditions[${i}].reason`);
    text(c.message, LIMITS.conditionMessage, `conditions[${i}].message`, true);
  });
}

/** Throws InvalidArgumentError naming the first field over its bound. Labels and the node id are checked by common/names.ts. */
export function checkRegisterLimits(req: RegisterRequest__Output): void {
  text(req.hostname, LIMITS.hostname, 'hostname');
  checkOs(req.os);
  text(req.agent_version, LIMITS.agentVersion, 'agent_version');
}

export function checkReportLimits(report: NodeReport__Output): void {
  text(report.hostname, LIMITS.hostname, 'hostname');
  checkOs(report.os);
  checkDeployments(report.deployments);
  text(report.flow_state, LIMITS.flowState, 'flow_state');
  text(report.flow_target, LIMITS.flowTarget, 'flow_target');
  text(report.resolved_target, LIMITS.flowTarget, 'resolved_target');
  text(report.flow_error, LIMITS.flowError, 'flow_error', true);
  checkConditions(report.conditions);
  if (report.remediation) {
    text(report.remediation.id, LIMITS.remediationId, 'remediation.id');
    text(report.remediation.action, LIMITS.flowState, 'remediation.action');
    text(report.remediation.state, LIMITS.flowState, 'remediation.state');
    text(report.remediation.message, LIMITS.remediationMessage, 'remediation.message', true);
  }
}
