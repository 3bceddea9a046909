import assert from "node:assert/strict";
import { nodeFiles } from "../../lib/cli/node_files.ts";
import { homePaths } from "../../lib/home.ts";

Deno.test("`nodeFiles()` puts a headless node's pid file and log in the home's nodes folder", () => {
  assert.deepEqual(nodeFiles(homePaths("/h"), "node-1"), {
    pid: "/h/nodes/node-1.pid",
    log: "/h/nodes/node-1.log",
  });
});
