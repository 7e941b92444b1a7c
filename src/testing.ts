/**
 * The conformance suite as node:test tests, for an engine author's own test files:
 * `describeConformance(descriptor)` (import from 'lsmbench/conformance').
 */
import { describe, it, before, after } from 'node:test';
import type { EngineDescriptor } from './engine.js';
import { CONFORMANCE_CHECKS, checkContext } from './conformance.js';

export { CONFORMANCE_CHECKS, runConformance, runCheck, checkContext } from './conformance.js';
export type { ConformanceCheck, CheckContext, Verdict } from './conformance.js';

export function describeConformance(descriptor: EngineDescriptor): void {
  describe(`conformance: ${descriptor.name}`, () => {
    let ctx: Awaited<ReturnType<typeof checkContext>> | undefined;
    before(async () => {
      ctx = await checkContext(await descriptor.load(), `lsmbench-conformance-${descriptor.name.replace(/[^a-z0-9-]/gi, '_')}-`);
    });
    after(async () => {
      await ctx?.dispose();
    });
    for (const check of CONFORMANCE_CHECKS) {
      it(check.name, async (t) => {
        if (ctx === undefined) throw new Error('the engine did not load');
        const skipped = await check.run(ctx);
        if (typeof skipped === 'string') t.skip(skipped);
      });
    }
  });
}
