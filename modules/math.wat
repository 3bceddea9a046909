;; math: the demo module from the product transcript.
;;
;; The printed strings are part of a recorded transcript and must match it
;; byte for byte -- including the "Reponse" typo. Do not "fix" it.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))

  ;; The VM reads printed output through the module's memory, so it must be
  ;; exported.
  (memory (export "memory") 1)

  ;; Bytes 0..15 are scratch for fd_write (iovec + nwritten); the messages
  ;; live above them so a print never overwrites its own text.
  (data (i32.const 16) "Reponse from the math module...\n")   ;; 32 bytes
  (data (i32.const 48) "Adding Numbers From Wasm...\n")       ;; 28 bytes

  ;; Write len bytes at ptr to stdout. The errno is dropped on purpose: a demo
  ;; module has nowhere useful to report a failed print.
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (call $print (i32.const 16) (i32.const 32)))

  (func (export "add") (param $a i32) (param $b i32) (result i32)
    (call $print (i32.const 48) (i32.const 28))
    (i32.add (local.get $a) (local.get $b)))

  (func (export "sub") (param $a i32) (param $b i32) (result i32)
    (i32.sub (local.get $a) (local.get $b)))

  (func (export "mul") (param $a i32) (param $b i32) (result i32)
    (i32.mul (local.get $a) (local.get $b)))

  ;; Signed division with no guard: dividing by zero (or INT_MIN / -1) traps,
  ;; which is how callers exercise the VM's trap reporting.
  (func (export "div") (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b)))

  ;; Deliberately the naive exponential recursion: it is a CPU benchmark, so
  ;; memoising or iterating would defeat its purpose. i64 so fib(90) fits.
  (func $fib (export "fib") (param $n i32) (result i64)
    (if (result i64) (i32.lt_s (local.get $n) (i32.const 2))
      (then (i64.extend_i32_s (local.get $n)))
      (else
        (i64.add
          (call $fib (i32.sub (local.get $n) (i32.const 1)))
          (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
)
