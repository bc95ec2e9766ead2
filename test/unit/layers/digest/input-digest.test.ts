import { describe, expect, it } from 'vitest';
import { canonicalJson, inputDigest } from '#layers/digest/input-digest.ts';

describe('inputDigest', () => {
  it('is the same for the same input in any key order', () => {
    expect(inputDigest({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(
      inputDigest({ a: { c: 'x', d: [1, 2] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2, skip: undefined })).toBe('{"a":2,"b":1}');
  });

  it('differs when any value differs', () => {
    expect(inputDigest({ quantity: 1 })).not.toBe(inputDigest({ quantity: 2 }));
    expect(inputDigest({ lines: [1, 2] })).not.toBe(inputDigest({ lines: [2, 1] }));
  });
});
