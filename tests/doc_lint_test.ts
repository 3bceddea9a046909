import assert from "node:assert/strict";

// The library API is documented whole: every symbol mod.ts exports has JSDoc, and every type its
// public API mentions is exported too (`deno doc --lint mod.ts`, as the house rules ask).
Deno.test("`deno doc --lint mod.ts` finds nothing to report", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", "mod.ts"],
    cwd: new URL("..", import.meta.url).pathname,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.success, true, new TextDecoder().decode(out.stderr));
});
