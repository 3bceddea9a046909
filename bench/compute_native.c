// Native timing harness for compute.c: prints one JSON line of milliseconds per kernel.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "compute.c"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  int fib_n = argc > 1 ? atoi(argv[1]) : 35;
  int loop_n = argc > 2 ? atoi(argv[2]) : 200000000;
  volatile int64_t sink_i;
  volatile double sink_f;
  double t0 = now_ms();
  sink_i = fib(fib_n);
  double t1 = now_ms();
  sink_i = i64loop(loop_n);
  double t2 = now_ms();
  sink_f = f64loop(loop_n);
  double t3 = now_ms();
  (void)sink_i;
  (void)sink_f;
  printf("{\"fib\":%.3f,\"i64loop\":%.3f,\"f64loop\":%.3f}\n", t1 - t0, t2 - t1, t3 - t2);
  return 0;
}
