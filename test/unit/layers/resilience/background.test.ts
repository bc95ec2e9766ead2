import { describe, expect, it } from 'vitest';
import { Background } from '#layers/resilience/background.ts';

describe('Background', () => {
  it('reports a failed task instead of throwing it at the caller', async () => {
    const reported: string[] = [];
    const work = new Background((label, error) => reported.push(`${label}: ${error.message}`));
    expect(() =>
      work.run('breaker flush', async () => {
        throw new Error('table unreachable');
      }),
    ).not.toThrow();
    await work.settled();
    expect(reported).toEqual(['breaker flush: table unreachable']);
  });

  it('settles once every task is done, those started meanwhile included', async () => {
    const work = new Background();
    const done: string[] = [];
    let release = () => {};
    work.run('first', async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      done.push('first');
      work.run('second', async () => {
        done.push('second');
      });
    });
    const settled = work.settled().then(() => done.push('settled'));
    expect(work.size).toBe(1);
    release();
    await settled;
    expect(done).toEqual(['first', 'second', 'settled']);
    expect(work.size).toBe(0);
  });
});
