// Compute kernels for `deno task bench`: built to wasm (compute.wasm) and natively with
// clang -O2, so the table can show gvm against the same code run natively.
#include <stdint.h>

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(name)))
#else
#define EXPORT(name)
#endif

EXPORT("fib") int64_t fib(int32_t n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

// A 64-bit LCG: integer multiply-add chains that no compiler can fold away.
EXPORT("i64loop") int64_t i64loop(int32_t n) {
  uint64_t x = 1;
  for (int32_t i = 0; i < n; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return (int64_t)(x ^ (x >> 33));
}

// Strict IEEE arithmetic (no -ffast-math), so it cannot be vectorised or reordered.
EXPORT("f64loop") double f64loop(int32_t n) {
  double sum = 0.0;
  for (int32_t i = 0; i < n; i++) sum += 1.0 / ((double)i + 1.0) * (i & 1 ? -1.0 : 1.0);
  return sum;
}
