import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intervalSeries } from '../../src/runner/intervals.js';

test('the per-second series records how long each second lasted: the last ends with the pass', () => {
  // Calls completing at 100 ms, 900 ms, 1,500 ms and 2,250 ms: seconds 0, 1 and a quarter of 2.
  const completedAt = Float64Array.from([100, 900, 1_500, 2_250]);
  const lat = Float64Array.from([0.001, 0.002, 0.003, 0.004]);
  const series = intervalSeries(lat, completedAt);
  assert.deepEqual(series.map((s) => [s.second, s.calls, s.ms]), [[0, 2, 1000], [1, 1, 1000], [2, 1, 250]]);
  // A pass shorter than a second is one partial second.
  assert.deepEqual(intervalSeries(Float64Array.from([0.001]), Float64Array.from([40])).map((s) => s.ms), [40]);
  // A stall: a second without a completed call is there, with 0 calls and a full length.
  assert.deepEqual(intervalSeries(Float64Array.from([0.001, 1]), Float64Array.from([10, 2_400])).map((s) => [s.calls, s.ms]), [[1, 1000], [0, 1000], [1, 400]]);
  assert.deepEqual(intervalSeries(new Float64Array(0), new Float64Array(0)), []);
});
