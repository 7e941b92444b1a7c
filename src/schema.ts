/** The JSON Schema of a results file, generated from the zod schema that reads them. */
import { z } from 'zod';
import { RESULTS_VERSION, ResultsFileSchema } from './results.js';

/**
 * The schema of what lsmbench accepts when it reads a results file ('input': fields
 * with a default may be absent), so a file valid against it is one `readResults` takes.
 */
export function resultsJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ResultsFileSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    ...generated,
    title: `lsmbench results file, version ${RESULTS_VERSION}`,
    description: 'Written by `lsmbench run`; generated from src/results.ts by scripts/make-results-schema.ts.',
  };
}

export function resultsJsonSchemaText(): string {
  return JSON.stringify(resultsJsonSchema(), null, 2) + '\n';
}
