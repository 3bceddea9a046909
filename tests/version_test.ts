import assert from "node:assert/strict";
import { VERSION } from "../lib/version.ts";

Deno.test("`VERSION` is a plain semantic version, as `gvm --version` prints it", () => {
  assert.match(VERSION, /^\d+\.\d+\.\d+$/);
});
