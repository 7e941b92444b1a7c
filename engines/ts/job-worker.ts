/**
 * The job thread (job-thread.ts says why and how): runs the flushes and compactions a
 * tree sends it, a flush before any compaction step, and answers each with its outputs
 * and their blocks, or with its error. It syncs files itself (it may block: no write
 * waits on it).
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { CorruptionError } from './errors.js';
import { joinPath, NodeFileSystem } from './fs.js';
import { compactionJob, flushJob, type JobContext, type MergeJob } from './job.js';
import { BUSY_MS, HEARTBEAT, REPLIES, type CompactionRequest, type ErrorReply, type FlushRequest, type JobReply, type JobRequest, type WorkerSetup } from './job-thread.js';
import { Memtable } from './memtable.js';
import { TableReader, type DecodedIndex, type TableBlocks } from './table.js';
import { tableFileName } from './file-names.js';

/** Input bytes per step between checks for new requests (a flush, an abort): a few ms. */
const STEP_BYTES = 256 * 1024;

interface Running {
  readonly id: number;
  readonly flush: boolean;
  readonly job: MergeJob;
  readonly readers: readonly TableReader[];
  readonly t0: number;
}

const setup = workerData as WorkerSetup;
const control = new Int32Array(setup.control);
const timing = new Float64Array(setup.timing);
const port = setup.port;
const fs = new NodeFileSystem(false);
/** Flushes first, then compactions, each in arrival order. */
const running: Running[] = [];

function reply(r: JobReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(r, transfer);
  Atomics.add(control, REPLIES, 1);
  Atomics.notify(control, REPLIES);
}

function errorReply(err: unknown): ErrorReply {
  if (err instanceof CorruptionError) return { name: err.name, message: err.message, file: err.file, offset: err.offset, reason: err.reason };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

function context(numbers: readonly number[]): JobContext {
  const left = [...numbers];
  return {
    fs,
    dir: setup.dir,
    tableOptions: setup.tableOptions,
    newFileNumber: () => {
      const n = left.shift();
      if (n === undefined) throw new Error(`job needed more than the ${numbers.length} file numbers reserved for it`);
      return n;
    },
  };
}

/** Starts the flush of a memtable from its image (the caller's memory, shared). */
function startFlush(req: FlushRequest): Running {
  const mem = Memtable.fromImage(req.image);
  return { id: req.id, flush: true, job: flushJob(context([req.fileNumber]), mem, req.snapshots, true), readers: [], t0: performance.now() };
}

function startCompaction(req: CompactionRequest): Running {
  const readers: TableReader[] = [];
  try {
    for (const i of req.inputs) readers.push(TableReader.open(fs, i.path, i.id));
    const job = compactionJob(context(req.fileNumbers), readers, req, req.snapshots, true);
    return { id: req.id, flush: false, job, readers, t0: performance.now() };
  } catch (err) {
    for (const r of readers) r.close();
    throw err;
  }
}

/** Ends a job: its readers closed. (A flushed memtable's memory is the caller's, reused there.) */
function release(r: Running): void {
  running.splice(running.indexOf(r), 1);
  for (const t of r.readers) t.close();
}

function handle(req: JobRequest): void {
  if (req.type === 'remove') {
    for (const path of req.paths) {
      try {
        fs.remove(path);
      } catch {
        // Left behind: the manifest does not name it, so the next open deletes it.
      }
    }
    return;
  }
  if (req.type === 'abort') {
    const r = running.find((x) => x.id === req.id);
    if (r !== undefined) {
      try {
        r.job.abandon();
      } finally {
        release(r);
      }
    }
    reply({ type: 'aborted', id: req.id });
    return;
  }
  try {
    const r = req.type === 'flush' ? startFlush(req) : startCompaction(req);
    if (r.flush) running.splice(running.filter((x) => x.flush).length, 0, r);
    else running.push(r);
  } catch (err) {
    reply({ type: 'failed', id: req.id, error: errorReply(err) });
  }
}

function finish(r: Running): void {
  const blocks: [number, TableBlocks][] = [];
  const transfer: ArrayBuffer[] = [];
  // Copies of the blocks, whose buffers move to the caller's thread without another copy.
  const own = <T extends Uint8Array | Uint32Array | Float64Array>(b: T): T => {
    const c = b.slice() as T;
    transfer.push(c.buffer as ArrayBuffer);
    return c;
  };
  for (const [id, b] of r.job.outputBlocks) {
    // Opened here once, from its blocks, to decode its index: the caller's open then
    // need not (TableBlocks.decoded).
    const reader = TableReader.openWritten(fs, joinPath(setup.dir, tableFileName(id)), id, undefined, b);
    const d = reader.decodedIndex;
    reader.close();
    const decoded: DecodedIndex = {
      lastKeys: own(d.lastKeys),
      keyStarts: own(d.keyStarts),
      lastSeqs: own(d.lastSeqs),
      blockOffsets: own(d.blockOffsets),
      blockSizes: own(d.blockSizes),
      headSkip: d.headSkip,
      heads: own(d.heads),
    };
    blocks.push([id, { filter: own(b.filter), point: own(b.point), index: own(b.index), footer: own(b.footer), fileSize: b.fileSize, decoded }]);
  }
  // The outputs' directory entries are durable before the caller's manifest names them.
  if (r.job.outputs.length > 0) fs.syncDir(setup.dir);
  // Keys copied out of whatever larger buffer they view, which a message would copy whole.
  const outputs = r.job.outputs.map((e) => ({ ...e, smallest: e.smallest.slice(), largest: e.largest.slice() }));
  const done: JobReply = {
    type: 'done',
    id: r.id,
    outputs,
    blocks,
    bytesRead: r.job.bytesRead,
    bytesWritten: r.job.bytesWritten,
    entriesDropped: r.job.entriesDropped,
    ms: performance.now() - r.t0,
  };
  release(r);
  reply(done, transfer);
}

/** Runs the jobs until none is left, reading new requests between steps. */
function pump(): void {
  while (running.length > 0) {
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) handle(m.message as JobRequest);
    const r = running[0];
    if (r === undefined) break;
    Atomics.add(control, HEARTBEAT, 1);
    const t0 = performance.now();
    try {
      const done = r.job.step(STEP_BYTES);
      // Only this thread writes it; the caller reads it to pace writes (BackgroundWork.pace).
      timing[BUSY_MS] = timing[BUSY_MS]! + performance.now() - t0;
      if (done) finish(r);
    } catch (err) {
      try {
        r.job.abandon();
      } catch {
        // The job's own error is the one to report.
      }
      release(r);
      reply({ type: 'failed', id: r.id, error: errorReply(err) });
    }
  }
}

port.on('message', (req: JobRequest) => {
  handle(req);
  pump();
});
