import type { PolicyChange } from '../policy/policy-source.ts';
import type { AuditRecord } from './audit-repository.ts';

/** The subject of the audit records of policy changes: the gateway itself, not a caller. */
export const POLICY_AUDIT_SUB = 'system:policy';
/** Their `tool`: `GET /audit?tool=policy` finds them. */
export const POLICY_AUDIT_TOOL = 'policy';

/**
 * The audit record of a policy a running gateway took up: its first load (no previous version) or
 * a change, naming both versions and where the policy came from.
 *
 * @example
 * auditLog.write(policyChangeRecord({ version: 'b2…', previousVersion: 'a1…', source: 'appconfig:abc1234/def5678/ghi9012', at }));
 */
export function policyChangeRecord(change: PolicyChange): AuditRecord {
  return {
    requestId: `policy-${change.version}`,
    at: change.at,
    sub: POLICY_AUDIT_SUB,
    roles: [],
    tool: POLICY_AUDIT_TOOL,
    input: {
      version: change.version,
      previousVersion: change.previousVersion ?? null,
      source: change.source,
    },
    reason:
      change.previousVersion === undefined
        ? `policy ${change.version} loaded from ${change.source}`
        : `policy changed from ${change.previousVersion} to ${change.version} (${change.source})`,
    outcome: 'success',
    statusCode: 200,
    durationMs: 0,
  };
}

/**
 * The audit record of a policy update a running gateway refused (it does not validate): the
 * problem, with file and line where it has them; the last good version stays.
 *
 * @example
 * auditLog.write(policyRefusalRecord({ source, message, keptVersion: 'a1…' }, new Date()));
 */
export function policyRefusalRecord(
  problem: { source: string; message: string; keptVersion: string | undefined },
  at: Date,
): AuditRecord {
  return {
    requestId: `policy-refused-${at.getTime()}`,
    at,
    sub: POLICY_AUDIT_SUB,
    roles: [],
    tool: POLICY_AUDIT_TOOL,
    input: { keptVersion: problem.keptVersion ?? null, source: problem.source },
    reason: `policy update from ${problem.source} refused; ${problem.keptVersion ?? 'no policy'} stays`,
    outcome: 'error',
    statusCode: 400,
    errorMessage: problem.message,
    durationMs: 0,
  };
}
