/**
 * Writes schema/results.schema.json, the JSON Schema of a results file, from the zod
 * schema that reads them (src/results.ts); test/schema.test.ts fails when it is stale.
 * Run: npx tsc -p . && node dist/scripts/make-results-schema.js
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';
import { resultsJsonSchemaText } from '../src/schema.js';

const path = join(projectRoot(), 'schema', 'results.schema.json');
writeFileSync(path, resultsJsonSchemaText());
process.stdout.write(`wrote ${path}\n`);
