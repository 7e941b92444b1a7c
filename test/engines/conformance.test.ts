/** Runs the shared conformance suite against every registered engine that is installed. */
import { describe, it } from 'node:test';
import { ENGINES, probeEngine } from '../../src/registry.js';
import { describeConformance } from '../../src/testing.js';

for (const descriptor of ENGINES) {
  const probe = await probeEngine(descriptor);
  if (probe.available) describeConformance(descriptor);
  else
    describe(`conformance: ${descriptor.name}`, () => {
      it('is not installed here', (t) => t.skip(probe.reason));
    });
}
