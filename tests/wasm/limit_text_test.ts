import assert from "node:assert/strict";
import { mibText, secondsText } from "../../lib/wasm/limit_text.ts";

Deno.test("`secondsText()` writes milliseconds as the seconds --timeout takes", () => {
  assert.equal(secondsText(2500), "2.5 s");
  assert.equal(secondsText(1), "0.001 s");
  assert.equal(secondsText(60_000), "60 s");
});

Deno.test("`mibText()` writes 64 KiB pages as the MiB --max-memory takes", () => {
  assert.equal(mibText(256), "16 MiB");
  assert.equal(mibText(1), "0.063 MiB");
  assert.equal(mibText(4096), "256 MiB");
});
