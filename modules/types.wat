;; types: a tour of the VM's typed call ABI.
;;
;; - numeric args are converted to the declared param types (i32/i64/f32/f64);
;; - a string arg arrives as (ptr, len) of UTF-8 bytes that the VM copied into
;;   this module's memory using the exported `alloc`;
;; - multi-value results come back to the caller as an array.
;; There are also deliberate traps, so the VM's error reporting can be shown.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)

  ;; Layout of the first KiB:
  ;;   0..23   up to three iovecs for fd_write
  ;;   24..27  fd_write's nwritten out-param
  ;;   64..    constant strings
  ;;   1024..  bump heap handed out by `alloc`
  ;; Keeping the heap above the constants means VM-copied strings can never
  ;; overwrite them.
  (data (i32.const 64) "Hello, ")                                              ;; 7 bytes
  (data (i32.const 72) "!\n")                                                  ;; 2 bytes
  (data (i32.const 80) "\n")                                                   ;; 1 byte
  (data (i32.const 96) "types: i64, f32, f64, strings and multi-value examples\n") ;; 55 bytes

  (global $heap (mut i32) (i32.const 1024))

  ;; Bump allocator: nothing is ever freed, which is fine because each call
  ;; copies in only a few short strings. Blocks are 8-aligned so that any
  ;; scalar type could be stored in them.
  (func (export "alloc") (param $size i32) (result i32)
    (local $ptr i32)
    (local $end i32)
    (local.set $ptr
      (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    ;; Wrap-around means the request cannot fit in a 32-bit address space.
    (if (i32.lt_u (local.get $end) (local.get $ptr)) (then unreachable))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then
        ;; Trap rather than return 0 when memory cannot grow: the VM would
        ;; otherwise silently write the string over address 0.
        (if (i32.eq
              (memory.grow
                (i32.sub
                  (i32.shr_u (i32.add (local.get $end) (i32.const 0xffff)) (i32.const 16))
                  (memory.size)))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  ;; Gather-write up to three byte ranges to stdout in one fd_write, so one
  ;; logical line is never split across separate writes.
  (func $write3 (param $p0 i32) (param $l0 i32) (param $p1 i32) (param $l1 i32)
                (param $p2 i32) (param $l2 i32)
    (i32.store (i32.const 0) (local.get $p0))
    (i32.store (i32.const 4) (local.get $l0))
    (i32.store (i32.const 8) (local.get $p1))
    (i32.store (i32.const 12) (local.get $l1))
    (i32.store (i32.const 16) (local.get $p2))
    (i32.store (i32.const 20) (local.get $l2))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 3) (i32.const 24))))

  (func (export "_start")
    (call $write3 (i32.const 96) (i32.const 55) (i32.const 0) (i32.const 0)
                  (i32.const 0) (i32.const 0)))

  ;; ---- 64-bit integers: values beyond 2^53 show BigInt round-tripping ----

  (func (export "add64") (param $a i64) (param $b i64) (result i64)
    (i64.add (local.get $a) (local.get $b)))

  (func (export "neg64") (param $a i64) (result i64)
    (i64.sub (i64.const 0) (local.get $a)))

  ;; ---- floats: f32 results show single-precision rounding ----

  (func (export "addf32") (param $a f32) (param $b f32) (result f32)
    (f32.add (local.get $a) (local.get $b)))

  (func (export "mulf64") (param $a f64) (param $b f64) (result f64)
    (f64.mul (local.get $a) (local.get $b)))

  ;; One f64 param: passing an integer such as 3 must still yield 1.5.
  (func (export "half") (param $a f64) (result f64)
    (f64.mul (local.get $a) (f64.const 0.5)))

  ;; ---- multi-value results ----

  ;; Truncating division, so the remainder takes the dividend's sign.
  (func (export "divmod") (param $a i32) (param $b i32) (result i32 i32)
    (i32.div_s (local.get $a) (local.get $b))
    (i32.rem_s (local.get $a) (local.get $b)))

  ;; Mixed types in both directions, reversed, to catch positional mix-ups.
  (func (export "swap3") (param $a i32) (param $b i64) (param $c f64)
                         (result f64 i64 i32)
    (local.get $c)
    (local.get $b)
    (local.get $a))

  ;; ---- strings: (ptr, len) pairs written by the VM via `alloc` ----

  (func (export "greet") (param $ptr i32) (param $len i32)
    (call $write3 (i32.const 64) (i32.const 7)
                  (local.get $ptr) (local.get $len)
                  (i32.const 72) (i32.const 2)))

  ;; The UTF-8 byte length, not the character count: "héllo" gives 6.
  (func (export "strlen") (param $ptr i32) (param $len i32) (result i32)
    (local.get $len))

  ;; A checksum of unsigned bytes, so tests can check the exact bytes that
  ;; arrived without needing a way to read memory back.
  (func (export "sum_bytes") (param $ptr i32) (param $len i32) (result i32)
    (local $sum i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  (func (export "echo") (param $ptr i32) (param $len i32)
    (call $write3 (local.get $ptr) (local.get $len)
                  (i32.const 80) (i32.const 1)
                  (i32.const 0) (i32.const 0)))

  ;; ---- deliberate traps ----

  (func (export "boom")
    unreachable)

  ;; Address 0xffffffff plus a 4-byte access exceeds even a full 4 GiB memory,
  ;; so this traps however far `alloc` has grown memory.
  (func (export "oob") (result i32)
    (i32.load (i32.const -1)))

  ;; Traps on division by zero and on INT_MIN / -1 (overflow).
  (func (export "idiv") (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b)))
)
