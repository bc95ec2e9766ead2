import { v7 } from 'uuid';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A new audit record's id: a UUID version 7 (RFC 9562) whose first 48 bits are the record's time
 * in milliseconds, so the id alone says where the record is (its day and its sort key): a lookup
 * by id needs no index of its own, which saves a write on every call.
 *
 * @example
 * const auditId = newAuditId(record.at); // '019ae3c2-5f1b-7…'
 */
export const newAuditId = (at: Date): string => v7({ msecs: at.getTime() });

/**
 * The time an audit id was made for (to the millisecond), or undefined when the text is not such
 * an id.
 *
 * @example
 * auditIdTime(newAuditId(at))?.getTime() === at.getTime(); // true
 */
export function auditIdTime(id: string): Date | undefined {
  if (!V7.test(id)) return undefined;
  return new Date(Number.parseInt(`${id.slice(0, 8)}${id.slice(9, 13)}`, 16));
}
