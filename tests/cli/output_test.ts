import assert from "node:assert/strict";
import { formatDuration } from "../../lib/cli/output.ts";

Deno.test("`formatDuration()` shows seconds, minutes and hours, padding the smaller units", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(999), "0s");
  assert.equal(formatDuration(59_999), "59s");
  assert.equal(formatDuration(60_000), "1m 00s");
  assert.equal(formatDuration(65_000), "1m 05s");
  assert.equal(formatDuration(3_600_000), "1h 00m 00s");
  assert.equal(formatDuration((3 * 3600 + 2 * 60 + 5) * 1000), "3h 02m 05s");
  assert.equal(formatDuration(100 * 3_600_000), "100h 00m 00s");
});
