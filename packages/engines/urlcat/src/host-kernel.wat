;; Batch host lookups of a Mamori category database (format 4, see db-format.ts and
;; category-db.ts): the same steps as CategoryDb.lookupCatset, over bytes in WebAssembly memory.
;; host-kernel.ts copies the host filter, the host buckets (64-byte aligned, so a bucket is one
;; cache line) and the verify records into the memory once, and writes each batch of hosts there
;; as UTF-8 separated by "\n" (a non-ASCII byte sends a host to the JavaScript slow path).
;; Build: npm run build:wasm (wat2wasm from Debian's wabt); host-kernel.test.ts checks that the
;; committed host-kernel.wasm is this file's build.
(module
  (import "env" "memory" (memory 1))
  ;; layout, set once by init()
  (global $filter (mut i32) (i32.const 0))   ;; byte address of the host filter words
  (global $fwords (mut i32) (i32.const 0))   ;; its word count
  (global $buckets (mut i32) (i32.const 0))  ;; byte address of HOST_BUCKETS (its 64-byte header first)
  (global $homes (mut i32) (i32.const 0))    ;; home bucket count
  (global $verify (mut i32) (i32.const 0))   ;; byte address of HOST_VERIFY
  (global $sinkg (mut i32) (i32.const 0))

  (func (export "init") (param i32 i32 i32 i32 i32)
    (global.set $filter (local.get 0)) (global.set $fwords (local.get 1))
    (global.set $buckets (local.get 2)) (global.set $homes (local.get 3)) (global.set $verify (local.get 4)))

  (func $fmix (param $h i32) (result i32)
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0x85ebca6b)))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0xc2b2ae35)))
    (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))

  ;; slot value of fingerprint (f1, f2) in the home at byte address $base, or 0
  (func $findSlot (param $base i32) (param $f1 i32) (param $f2 i32) (result i32)
    (local $reach i32) (local $s i32) (local $end i32) (local $w i32)
    (local.set $reach (i32.and (i32.load offset=60 (local.get $base)) (i32.const 255)))
    (loop $bucket
      (local.set $s (local.get $base))
      (local.set $end (i32.add (local.get $base) (i32.const 60)))
      (loop $slot
        (local.set $w (i32.load offset=8 (local.get $s)))
        (if (i32.eqz (local.get $w)) (then (return (i32.const 0))))
        (if (i32.and (i32.eq (i32.load (local.get $s)) (local.get $f1)) (i32.eq (i32.load offset=4 (local.get $s)) (local.get $f2)))
          (then (return (local.get $w))))
        (local.set $s (i32.add (local.get $s) (i32.const 12)))
        (br_if $slot (i32.lt_u (local.get $s) (local.get $end))))
      (if (i32.eqz (local.get $reach)) (then (return (i32.const 0))))
      (local.set $reach (i32.sub (local.get $reach) (i32.const 1)))
      (local.set $base (i32.add (local.get $base) (i32.const 64)))
      (br $bucket))
    (i32.const 0))

  ;; the catset a slot value answers for host bytes [s, e): KEY only; VERIFY ones compared byte by byte; else -1
  (func $keyCatset (param $v i32) (param $s i32) (param $e i32) (result i32)
    (local $r i32) (local $rec i32) (local $p i32) (local $c i32)
    (if (i32.eqz (i32.and (local.get $v) (i32.const 1))) (then (return (i32.const -1))))
    (if (i32.eqz (i32.and (local.get $v) (i32.const 4))) (then (return (i32.shr_u (local.get $v) (i32.const 3)))))
    (local.set $rec (i32.add (global.get $verify) (i32.shl (i32.shr_u (local.get $v) (i32.const 3)) (i32.const 2))))
    (local.set $r (i32.load (local.get $rec)))
    (if (i32.ne (i32.and (local.get $r) (i32.const 255)) (i32.sub (local.get $e) (local.get $s))) (then (return (i32.const -1))))
    (local.set $p (i32.add (local.get $rec) (i32.const 4)))
    (block $done
      (loop $cmp
        (br_if $done (i32.ge_u (local.get $s) (local.get $e)))
        (local.set $c (i32.load8_u (local.get $s)))
        (if (i32.lt_u (i32.sub (local.get $c) (i32.const 65)) (i32.const 26)) (then (local.set $c (i32.or (local.get $c) (i32.const 32)))))
        (if (i32.ne (local.get $c) (i32.load8_u (local.get $p))) (then (return (i32.const -1))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $cmp)))
    (i32.shr_u (local.get $r) (i32.const 8)))

  ;; one host, bytes [s, e): reads it right to left up to its registrable level (two labels) and
  ;; keeps [s, i, e, h1, h2] at $st; returns 0, -1 (no key possible: empty, one label) or -2 (the
  ;; slow path: IP literal, non-ASCII, colon)
  (func $begin (param $s i32) (param $e i32) (param $st i32) (result i32)
    (local $i i32) (local $ch i32) (local $h1 i32) (local $h2 i32) (local $dot i32) (local $last i32)
    ;; a trailing dot is left out
    (if (i32.gt_u (local.get $e) (local.get $s))
      (then (if (i32.eq (i32.load8_u offset=0 (i32.sub (local.get $e) (i32.const 1))) (i32.const 46))
        (then (local.set $e (i32.sub (local.get $e) (i32.const 1)))))))
    (if (i32.eq (local.get $e) (local.get $s)) (then (return (i32.const -1))))
    (local.set $last (i32.load8_u (i32.sub (local.get $e) (i32.const 1))))
    (if (i32.or (i32.lt_u (i32.sub (local.get $last) (i32.const 48)) (i32.const 10)) (i32.eq (local.get $last) (i32.const 93)))
      (then (return (i32.const -2))))
    (local.set $h1 (i32.const 0x811c9dc5))
    (local.set $h2 (i32.const 0x2f6b1a3d))
    (local.set $i (local.get $e))
    ;; to the registrable level: read right to left up to the second dot
    (block $out
      (loop $rd
        (br_if $out (i32.le_s (local.get $i) (local.get $s)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $ch (i32.load8_u (local.get $i)))
        (if (i32.eq (local.get $ch) (i32.const 46))
          (then
            (if (local.get $dot) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $out)))
            (local.set $dot (i32.const 1)))
          (else
            (if (i32.lt_u (i32.sub (local.get $ch) (i32.const 65)) (i32.const 26))
              (then (local.set $ch (i32.or (local.get $ch) (i32.const 32))))
              (else (if (i32.or (i32.gt_u (local.get $ch) (i32.const 127)) (i32.eq (local.get $ch) (i32.const 58)))
                (then (return (i32.const -2))))))))
        (local.set $h1 (i32.mul (i32.xor (local.get $h1) (local.get $ch)) (i32.const 0x01000193)))
        (local.set $h2 (i32.rotl (i32.mul (i32.xor (local.get $h2) (local.get $ch)) (i32.const 0x5bd1e995)) (i32.const 13)))
        (br $rd)))
    ;; here host[i, e) is the suffix read (i points at its first byte; the dot before it, if any, is at i - 1)
    (if (i32.eqz (local.get $dot)) (then (return (i32.const -1))))
    (i32.store offset=0 (local.get $st) (local.get $s))
    (i32.store offset=4 (local.get $st) (local.get $i))
    (i32.store offset=8 (local.get $st) (local.get $e))
    (i32.store offset=12 (local.get $st) (local.get $h1))
    (i32.store offset=16 (local.get $st) (local.get $h2))
    (i32.const 0))

  ;; from the registrable level: host bytes [s, e), suffix [i, e) read, hash chains h1 h2
  (func $walk (param $s i32) (param $i i32) (param $e i32) (param $h1 i32) (param $h2 i32) (result i32)
    (local $ch i32) (local $f1 i32) (local $f2 i32) (local $w i32) (local $m i32) (local $home i32) (local $v i32)
    (local $cs i32) (local $best i32)
    (local.set $best (i32.const -1))
    (block $end
      (loop $anchor
        (local.set $f1 (call $fmix (local.get $h1)))
        (local.set $f2 (call $fmix (local.get $h2)))
        (local.set $w (i32.load (i32.add (global.get $filter)
          (i32.shl (i32.wrap_i64 (i64.shr_u (i64.mul (i64.extend_i32_u (local.get $f2)) (i64.extend_i32_u (global.get $fwords))) (i64.const 32))) (i32.const 2)))))
        (local.set $m (i32.or (i32.shl (i32.const 1) (local.get $f2)) (i32.shl (i32.const 1) (i32.shr_u (local.get $f2) (i32.const 5)))))
        (br_if $end (i32.ne (i32.and (local.get $w) (local.get $m)) (local.get $m)))
        (local.set $home (i32.add (i32.add (global.get $buckets) (i32.const 64))
          (i32.shl (i32.wrap_i64 (i64.shr_u (i64.mul (i64.extend_i32_u (local.get $f1)) (i64.extend_i32_u (global.get $homes))) (i64.const 32))) (i32.const 6))))
        (local.set $v (call $findSlot (local.get $home) (local.get $f1) (local.get $f2)))
        (local.set $cs (call $keyCatset (local.get $v) (local.get $i) (local.get $e)))
        (if (i32.ge_s (local.get $cs) (i32.const 0)) (then (local.set $best (local.get $cs))))
        (if (i32.eqz (i32.and (local.get $v) (i32.const 2)))
          (then
            ;; not SPLIT: keys below it share its home when its deeper bit is set
            (br_if $end (i32.eqz (i32.and (i32.load offset=60 (local.get $home))
              (i32.shl (i32.const 1) (i32.add (i32.const 8) (i32.rem_u (local.get $f2) (i32.const 24)))))))
            (block $grp
              (loop $lvl
                (br_if $grp (i32.le_s (local.get $i) (local.get $s)))
                ;; the dot at i - 1, then the next label
                (local.set $h1 (i32.mul (i32.xor (local.get $h1) (i32.const 46)) (i32.const 0x01000193)))
                (local.set $h2 (i32.rotl (i32.mul (i32.xor (local.get $h2) (i32.const 46)) (i32.const 0x5bd1e995)) (i32.const 13)))
                (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                (block $lab
                  (loop $rd2
                    (br_if $lab (i32.le_s (local.get $i) (local.get $s)))
                    (local.set $ch (i32.load8_u (i32.sub (local.get $i) (i32.const 1))))
                    (br_if $lab (i32.eq (local.get $ch) (i32.const 46)))
                    (if (i32.lt_u (i32.sub (local.get $ch) (i32.const 65)) (i32.const 26))
                      (then (local.set $ch (i32.or (local.get $ch) (i32.const 32))))
                      (else (if (i32.or (i32.gt_u (local.get $ch) (i32.const 127)) (i32.eq (local.get $ch) (i32.const 58)))
                        (then (return (i32.const -2))))))
                    (local.set $h1 (i32.mul (i32.xor (local.get $h1) (local.get $ch)) (i32.const 0x01000193)))
                    (local.set $h2 (i32.rotl (i32.mul (i32.xor (local.get $h2) (local.get $ch)) (i32.const 0x5bd1e995)) (i32.const 13)))
                    (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                    (br $rd2)))
                (local.set $cs (call $keyCatset
                  (call $findSlot (local.get $home) (call $fmix (local.get $h1)) (call $fmix (local.get $h2)))
                  (local.get $i) (local.get $e)))
                (if (i32.ge_s (local.get $cs) (i32.const 0)) (then (local.set $best (local.get $cs))))
                (br $lvl)))
            (br $end)))
        ;; SPLIT parent: the next level anchors in a home of its own
        (br_if $end (i32.le_s (local.get $i) (local.get $s)))
        (local.set $h1 (i32.mul (i32.xor (local.get $h1) (i32.const 46)) (i32.const 0x01000193)))
        (local.set $h2 (i32.rotl (i32.mul (i32.xor (local.get $h2) (i32.const 46)) (i32.const 0x5bd1e995)) (i32.const 13)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (block $lab3
          (loop $rd3
            (br_if $lab3 (i32.le_s (local.get $i) (local.get $s)))
            (local.set $ch (i32.load8_u (i32.sub (local.get $i) (i32.const 1))))
            (br_if $lab3 (i32.eq (local.get $ch) (i32.const 46)))
            (if (i32.lt_u (i32.sub (local.get $ch) (i32.const 65)) (i32.const 26))
              (then (local.set $ch (i32.or (local.get $ch) (i32.const 32))))
              (else (if (i32.or (i32.gt_u (local.get $ch) (i32.const 127)) (i32.eq (local.get $ch) (i32.const 58)))
                (then (return (i32.const -2))))))
            (local.set $h1 (i32.mul (i32.xor (local.get $h1) (local.get $ch)) (i32.const 0x01000193)))
            (local.set $h2 (i32.rotl (i32.mul (i32.xor (local.get $h2) (local.get $ch)) (i32.const 0x5bd1e995)) (i32.const 13)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br $rd3)))
        (br $anchor)))
    (local.get $best))

  ;; hosts separated by "\n" in [p, p + len): results (i32) to out; state records (32 bytes per
  ;; host, 64 hosts) at scratch. Returns the number of hosts. In passes over groups of 64 hosts so
  ;; that their memory misses overlap: (a) each host read to its registrable level; (a2) the
  ;; filter words loaded; (b) the filter asked; (b2) the home buckets loaded of those it lets
  ;; through; (c) each finished. The loads are in loops of their own, a few instructions per
  ;; host, so that the core has many of them in flight (inside (a) or (b) only a few hosts'
  ;; worth of instructions fit in its window: measured 1.29x the batch rate).
  (func (export "batch") (param $p i32) (param $len i32) (param $out i32) (param $scratch i32) (result i32)
    (local $e i32) (local $q i32) (local $n i32) (local $g i32) (local $j i32) (local $st i32) (local $r i32)
    (local $f2 i32) (local $m i32) (local $sink i32) (local $f1 i32)
    (local.set $e (i32.add (local.get $p) (local.get $len)))
    (local.set $q (local.get $p))
    (block $done
      (loop $group
        (br_if $done (i32.gt_u (local.get $q) (local.get $e)))
        ;; (a)
        (local.set $g (i32.const 0))
        (block $fullA
          (loop $a
            (br_if $fullA (i32.gt_u (local.get $q) (local.get $e)))
            (br_if $fullA (i32.eq (local.get $g) (i32.const 64)))
            (block $sep
              (loop $scan
                (br_if $sep (i32.ge_u (local.get $q) (local.get $e)))
                (br_if $sep (i32.eq (i32.load8_u (local.get $q)) (i32.const 10)))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $scan)))
            (local.set $st (i32.add (local.get $scratch) (i32.shl (local.get $g) (i32.const 5))))
            (local.set $r (call $begin (local.get $p) (local.get $q) (local.get $st)))
            (i32.store offset=28 (local.get $st) (local.get $r))
            ;; the line (a2) loads: the filter word, or one in cache for a host already answered
            (i32.store offset=24 (local.get $st) (global.get $filter))
            (if (i32.eqz (local.get $r))
              (then
                (local.set $f2 (call $fmix (i32.load offset=16 (local.get $st))))
                (i32.store offset=20 (local.get $st) (local.get $f2))
                (i32.store offset=24 (local.get $st) (i32.add (global.get $filter)
                  (i32.shl (i32.wrap_i64 (i64.shr_u (i64.mul (i64.extend_i32_u (local.get $f2)) (i64.extend_i32_u (global.get $fwords))) (i64.const 32))) (i32.const 2))))))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (local.set $p (local.get $q))
            (br $a)))
        ;; (a2) the group's filter words, in a loop short enough that their misses overlap
        (local.set $j (i32.const 0))
        (block $endA2
          (loop $a2
            (br_if $endA2 (i32.ge_u (local.get $j) (local.get $g)))
            (local.set $sink (i32.xor (local.get $sink) (i32.load (i32.load offset=24 (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 5)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $a2)))
        ;; (b)
        (local.set $j (i32.const 0))
        (block $endB
          (loop $b
            (br_if $endB (i32.ge_u (local.get $j) (local.get $g)))
            (local.set $st (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 5))))
            (if (i32.eqz (i32.load offset=28 (local.get $st)))
              (then
                (local.set $f2 (i32.load offset=20 (local.get $st)))
                (local.set $m (i32.or (i32.shl (i32.const 1) (local.get $f2)) (i32.shl (i32.const 1) (i32.shr_u (local.get $f2) (i32.const 5)))))
                (if (i32.eq (i32.and (local.get $m) (i32.load (i32.add (global.get $filter)
                      (i32.shl (i32.wrap_i64 (i64.shr_u (i64.mul (i64.extend_i32_u (local.get $f2)) (i64.extend_i32_u (global.get $fwords))) (i64.const 32))) (i32.const 2)))))
                      (local.get $m))
                  (then
                    (local.set $f1 (call $fmix (i32.load offset=12 (local.get $st))))
                    (i32.store offset=24 (local.get $st) (i32.add (i32.add (global.get $buckets) (i32.const 64))
                      (i32.shl (i32.wrap_i64 (i64.shr_u (i64.mul (i64.extend_i32_u (local.get $f1)) (i64.extend_i32_u (global.get $homes))) (i64.const 32))) (i32.const 6)))))
                  (else (i32.store offset=28 (local.get $st) (i32.const -1))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $b)))
        ;; (b2) the home buckets, in a short loop (a host the filter turned away loads its filter word again, in cache)
        (local.set $j (i32.const 0))
        (block $endB2
          (loop $b2
            (br_if $endB2 (i32.ge_u (local.get $j) (local.get $g)))
            (local.set $sink (i32.xor (local.get $sink) (i32.load (i32.load offset=24 (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 5)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $b2)))
        ;; (c)
        (local.set $j (i32.const 0))
        (block $endC
          (loop $c
            (br_if $endC (i32.ge_u (local.get $j) (local.get $g)))
            (local.set $st (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 5))))
            (local.set $r (i32.load offset=28 (local.get $st)))
            (if (i32.eqz (local.get $r))
              (then (local.set $r (call $walk (i32.load (local.get $st)) (i32.load offset=4 (local.get $st)) (i32.load offset=8 (local.get $st))
                (i32.load offset=12 (local.get $st)) (i32.load offset=16 (local.get $st))))))
            (i32.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $n) (local.get $j)) (i32.const 2))) (local.get $r))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $c)))
        (local.set $n (i32.add (local.get $n) (local.get $g)))
        (br $group)))
    (global.set $sinkg (local.get $sink))
    (local.get $n))
)
