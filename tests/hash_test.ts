import assert from "node:assert/strict";
import { sha256Hex, toHex } from "../lib/hash.ts";

Deno.test("`toHex()` pads every byte to two lower-case digits", () => {
  assert.equal(toHex(new Uint8Array([0, 1, 15, 16, 171, 255])), "00010f10abff");
  assert.equal(toHex(new Uint8Array()), "");
});

Deno.test("`sha256Hex()` is the SHA-256 of the bytes, as 64 lower-case hex digits", async () => {
  assert.equal(
    await sha256Hex(new Uint8Array()),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});
