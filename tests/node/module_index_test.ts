import assert from "node:assert/strict";
import { moduleIndexReply, parseModuleIndex } from "../../lib/node/module_index.ts";

Deno.test("`moduleIndexReply()` lists each module with its exports, in order", async () => {
  const reply = await moduleIndexReply({
    moduleNames: () => Promise.resolve(["math", "hello"]),
    exportNames: (module) => Promise.resolve(module === "math" ? ["add", "mul"] : ["hello"]),
  });
  assert.deepEqual(reply, [
    { name: "math", exports: ["add", "mul"] },
    { name: "hello", exports: ["hello"] },
  ]);
});

Deno.test("`moduleIndexReply()` sends at most 200 modules of 200 exports", async () => {
  const many = Array.from({ length: 250 }, (_, i) => `m${i}`);
  const asked: string[] = [];
  const reply = await moduleIndexReply({
    moduleNames: () => Promise.resolve(many),
    exportNames: (module) => {
      asked.push(module);
      return Promise.resolve(many);
    },
  });
  assert.equal(reply.length, 200);
  assert.equal(asked.length, 200, "exports of modules past the cap are not even read");
  assert.equal(reply[0].exports.length, 200);
});

Deno.test("`parseModuleIndex()` keeps plain names and drops what is unsafe to type", () => {
  const index = parseModuleIndex([
    { name: "math", exports: ["add", "a b", "x\x1b[2J", "f(x)", "", 7, "ok.fn"] },
    { name: "evil\nname", exports: ["x"] },
    { name: "no-exports" },
    { name: "bad-exports", exports: "add" },
    null,
    "junk",
    { name: "x".repeat(257), exports: [] },
    { name: "x".repeat(256), exports: [] },
  ]);
  assert.deepEqual([...index], [
    ["math", ["add", "ok.fn"]],
    ["no-exports", []],
    ["bad-exports", []],
    ["x".repeat(256), []],
  ]);
});

Deno.test("`parseModuleIndex()` of anything but a list is empty; long lists are capped", () => {
  assert.equal(parseModuleIndex({ name: "math" }).size, 0);
  assert.equal(parseModuleIndex(undefined).size, 0);
  const names = Array.from({ length: 300 }, (_, i) => `n${i}`);
  const index = parseModuleIndex(names.map((name) => ({ name, exports: names })));
  assert.equal(index.size, 200);
  assert.equal(index.get("n0")!.length, 200);
});
