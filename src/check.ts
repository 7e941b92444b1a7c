/**
 * `lsmbench check <engine>`: whether an engine keeps the contract, before anyone
 * benchmarks it. An in-process engine runs the conformance suite (src/conformance.ts)
 * and stores the keyspace vectors' keys and values (test/vectors/keyspace.json, the
 * bytes the benchmarks write) and reads them back. An external engine cannot be driven
 * call by call, so it must describe itself and run every workload of its protocol version
 * at a small N with every digest matching what lsmbench computes for the same keys and
 * values (protocol 2: the latency pass's samples and answers too).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineDescriptor } from './engine.js';
import type { ExternalEngine, ExternalEngineDescriptor } from './job.js';
import { CONFORMANCE_CHECKS, runConformance, type ConformanceCheck, type Verdict } from './conformance.js';
import { errorMessage } from './errors.js';
import { NEWEST_PROTOCOL, isProtocolVersion, protocolWorkloads } from './external/messages.js';
import { projectRoot } from './paths.js';
import { loadScenarioFile, resolveScenario, type Scenario } from './scenario.js';

interface KeyspaceVectors {
  keys: Array<{ i: number; keySize: number; key: string }>;
  values: Array<{ seed: number; i: number; valueSize: number; hex: string }>;
}

const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

/** The keyspace vectors' keys and values, stored and read back byte for byte, and scanned in key order. */
export const KEYSPACE_CHECK: ConformanceCheck = {
  name: 'stores the keyspace vectors byte for byte',
  async run({ openFresh }) {
    const vectors = JSON.parse(readFileSync(join(projectRoot(), 'test', 'vectors', 'keyspace.json'), 'utf8')) as KeyspaceVectors;
    const enc = new TextEncoder();
    const pairs = vectors.keys.map((k, n) => {
      const v = vectors.values[n % vectors.values.length]!;
      return { key: enc.encode(k.key), value: fromHex(v.hex), label: k.key };
    });
    assert.ok(pairs.length > 0, 'the vectors file has keys');
    const { store } = await openFresh();
    for (const p of pairs) await store.put(p.key, p.value);
    for (const p of pairs) assert.deepEqual(Buffer.from((await store.get(p.key)) ?? []), Buffer.from(p.value), `the value of key ${p.label}`);
    const seen: string[] = [];
    await store.scan({}, (k) => {
      seen.push(Buffer.from(k).toString('latin1'));
    });
    assert.deepEqual(seen, pairs.map((p) => p.label).sort(), 'a full scan returns the keys in byte order');
    await store.close();
  },
};

/** Verdicts of every in-process check, in order. */
export function checkInProcess(descriptor: EngineDescriptor): AsyncGenerator<Verdict> {
  return runConformance(descriptor, [...CONFORMANCE_CHECKS, KEYSPACE_CHECK]);
}

/** A small scenario for external checks: enough keys for every workload's digest, quick to run. */
async function checkScenario(ops: number): Promise<Scenario> {
  const { source, file } = await loadScenarioFile('seed');
  return resolveScenario(source, file, { ops, repetitions: 1, warmup: 0, timeoutSeconds: 120 });
}

/** Verdicts of an external engine: it describes itself, then runs each workload of its protocol verified. */
export async function* checkExternal(descriptor: ExternalEngineDescriptor, ops: number, onDescribed?: (name: string) => void): AsyncGenerator<Verdict> {
  let durability;
  let engine: ExternalEngine;
  let protocol = NEWEST_PROTOCOL;
  try {
    engine = await descriptor.load();
    if (engine.describeFailure !== undefined) throw new Error(engine.describeFailure);
    assert.ok(engine.storeVersion.length > 0, 'storeVersion is set');
    durability = engine.durability[0];
    assert.ok(durability !== undefined, 'honours at least one durability mode');
    assert.ok(engine.protocol !== undefined && isProtocolVersion(engine.protocol), 'speaks a protocol version this lsmbench speaks');
    protocol = engine.protocol;
    if (engine.describedName !== undefined) onDescribed?.(engine.describedName);
    yield { check: `describes itself (hello: ${engine.describedName ?? descriptor.name}, protocol ${protocol})`, outcome: 'pass' };
  } catch (err) {
    yield { check: 'describes itself (hello)', outcome: 'fail', reason: errorMessage(err) };
    return;
  }
  const scenario = await checkScenario(ops);
  const root = await mkdtemp(join(tmpdir(), 'lsmbench-check-external-'));
  try {
    for (const workload of protocolWorkloads(protocol)) {
      const check = `runs ${workload} with every digest matching (N=${ops})`;
      const result = await engine.runWorkload(
        { engine: descriptor.name, label: descriptor.name, workload, point: null, scenario, durability, options: {}, workDir: join(root, workload), keep: false },
        () => undefined,
      );
      yield result.status === 'verified' && result.verification.ok
        ? { check, outcome: 'pass' }
        : { check, outcome: 'fail', reason: result.error ?? result.verification.detail };
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
