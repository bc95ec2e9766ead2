/**
 * The roles of the gateway's policy (layers/auth/policy.ts) that the console's pages depend on.
 * The console does not bundle the policy (it would bring zod along); a unit test checks that these
 * names are the policy's.
 */
export const roleNames = {
  /** Sees every operation, decides others' four-eyes writes. */
  approver: 'approver',
  /** Switches systems and tools, invalidates caches; sees every operation. */
  admin: 'admin',
  /** Reads the whole audit trail. */
  auditor: 'auditor',
} as const;

const holds = (roles: readonly string[], ...any: readonly string[]): boolean =>
  any.some((role) => roles.includes(role));

/** Whether these roles see every operation, not only their owner's. */
export const seesEveryOperation = (roles: readonly string[]): boolean =>
  holds(roles, roleNames.approver, roleNames.admin);

/** Whether these roles read everyone's audit records (the `User` filter). */
export const readsWholeAudit = (roles: readonly string[]): boolean =>
  holds(roles, roleNames.auditor);

/** Whether these roles switch systems off and on and invalidate caches. */
export const switchesSystems = (roles: readonly string[]): boolean => holds(roles, roleNames.admin);
