import { describe, expect, it } from 'vitest';
import {
  sagaStateMachineArn,
  sagaStateMachineName,
  sagaStateMachinePrefix,
} from '#layers/writes/saga-names.ts';

const VALID = /^[A-Za-z0-9_-]{1,80}$/;

describe('saga state machine names', () => {
  it('is the stack name, -saga- and the tool name when that fits', () => {
    expect(sagaStateMachineName(sagaStateMachinePrefix('toolgate-prod'), 'create_ticket')).toBe(
      'toolgate-prod-saga-create_ticket',
    );
  });

  it('shortens a long tool name to 80 characters with a stable hash that tells tools apart', () => {
    // Arrange: the longest tool names (64 characters), differing only at the end
    const prefix = sagaStateMachinePrefix('toolgate-staging-eu-west-1-developer');
    const one = `create_${'x'.repeat(56)}a`;
    const two = `create_${'x'.repeat(56)}b`;
    // Act
    const names = [one, two, one].map((tool) => sagaStateMachineName(prefix, tool));
    // Assert
    expect(names[0]).toMatch(VALID);
    expect(names[0]).toHaveLength(80);
    expect(names[0]?.startsWith(`${prefix}create_xxx`)).toBe(true);
    expect(names[0]).toMatch(/-[0-9a-f]{8}$/);
    expect(names[0]).not.toBe(names[1]);
    expect(names[2]).toBe(names[0]);
  });

  it('shortens a long stack name so that any tool name still fits', () => {
    const stack = `Toolgate-${'Api'.repeat(40)}`;
    const prefix = sagaStateMachinePrefix(stack);
    expect(prefix.length).toBeLessThanOrEqual(46);
    expect(prefix).not.toBe(sagaStateMachinePrefix(`${stack}2`));
    expect(sagaStateMachineName(prefix, `a${'b'.repeat(63)}`)).toMatch(VALID);
  });

  it('keeps to letters, digits, - and _', () => {
    const name = sagaStateMachineName(sagaStateMachinePrefix('toolgate.dev'), 'send mail');
    expect(name).toMatch(VALID);
    expect(name).not.toBe(
      sagaStateMachineName(sagaStateMachinePrefix('toolgate-dev'), 'send-mail'),
    );
  });

  it('finds a tool’s state machine ARN from the ARN prefix, as the CDK app names it', () => {
    const prefix = sagaStateMachinePrefix('toolgate-prod');
    const tool = `update_${'y'.repeat(57)}`;
    expect(
      sagaStateMachineArn(`arn:aws:states:eu-west-1:123456789012:stateMachine:${prefix}`, tool),
    ).toBe(
      `arn:aws:states:eu-west-1:123456789012:stateMachine:${sagaStateMachineName(prefix, tool)}`,
    );
  });

  it('says what SAGA_STATE_MACHINE_PREFIX must look like when it is not a state machine ARN', () => {
    expect(() => sagaStateMachineArn('toolgate-prod-saga-', 'create_ticket')).toThrow(
      /SAGA_STATE_MACHINE_PREFIX must be a state machine ARN/,
    );
  });
});
