import { describe, expect, it } from 'vitest';
import { operationIdFor } from '#layers/writes/operation-id.ts';

describe('operationIdFor', () => {
  it('derives one stable operation id per confirmation', () => {
    expect(operationIdFor('cf_1')).toBe(operationIdFor('cf_1'));
    expect(operationIdFor('cf_1')).not.toBe(operationIdFor('cf_2'));
    expect(operationIdFor('cf_1')).toMatch(/^op_[0-9a-f]{32}$/);
  });
});
