#!/usr/bin/env bash
# Rebuild the example modules (modules/) and the test fixtures (tests/fixtures/).
#
#   bash modules/build.sh        # from the repo root, or from anywhere
#
# Needs:
#   wat2wasm (wabt)          for every .wat
#   clang + wasm-ld          for every .c, targeting wasm32-wasi
#   wasi-libc                the C library/sysroot
#   compiler-rt builtins     libclang_rt.builtins-wasm32.a
# On Debian/Ubuntu:
#   apt-get install wabt clang lld wasi-libc libclang-rt-14-dev-wasm32
# (match the libclang-rt version to clang's major version).
#
# Environment overrides:
#   CC            clang to use (default: clang)
#   WASI_SYSROOT  sysroot holding wasi-libc, for installs clang cannot find on
#                 its own (e.g. a wasi-sdk download). Debian's clang finds the
#                 wasi-libc package without it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
modules="$root/modules"
fixtures="$root/tests/fixtures"
CC="${CC:-clang}"

die() {
  echo "build.sh: error: $*" >&2
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found in PATH; $2"
}

# Relative paths keep the log short and readable.
rel() { echo "${1#"$root"/}"; }

shopt -s nullglob
wats=("$modules"/*.wat "$fixtures"/*.wat "$fixtures"/*/*.wat)
cs=("$modules"/*.c "$fixtures"/*.c)

# Check every tool before building anything, so a missing tool is reported up
# front rather than after half the outputs have been rewritten.
if ((${#wats[@]})); then
  need wat2wasm "install wabt (apt-get install wabt)"
fi
cflags=(--target=wasm32-wasi -O2 -Wall -Wextra)
if ((${#cs[@]})); then
  need "$CC" "install clang (apt-get install clang), or set CC"
  need wasm-ld "install lld (apt-get install lld), which provides wasm-ld"
  if [[ -n "${WASI_SYSROOT:-}" ]]; then
    [[ -d "$WASI_SYSROOT" ]] || die "WASI_SYSROOT=$WASI_SYSROOT is not a directory"
    cflags+=(--sysroot="$WASI_SYSROOT")
  elif [[ -d /usr/share/wasi-sysroot ]]; then
    cflags+=(--sysroot=/usr/share/wasi-sysroot)
  fi
  # clang links this archive implicitly, and distro packages often ship it
  # separately, so a missing one otherwise surfaces as an obscure link error.
  builtins="$("$CC" "${cflags[@]}" -print-libgcc-file-name)"
  [[ -f "$builtins" ]] || die "compiler-rt builtins for wasm32 are missing ($builtins);
  install them, e.g. apt-get install libclang-rt-$("$CC" -dumpversion | cut -d. -f1)-dev-wasm32"
fi

# --debug-names keeps function names in the binary so trap stack traces say
# which function trapped. wabt enables multi-value by default; memory64 is for
# the fixture that checks the memory cap holds for 64-bit memories.
for src in "${wats[@]}"; do
  out="${src%.wat}.wasm"
  echo "wat2wasm  $(rel "$src") -> $(rel "$out")"
  wat2wasm --enable-memory64 --debug-names "$src" -o "$out"
done

# --strip-debug drops wasi-libc's DWARF (about 80% of the file) but keeps the
# name section, for the same reason as above.
for src in "${cs[@]}"; do
  out="${src%.c}.wasm"
  echo "clang     $(rel "$src") -> $(rel "$out")"
  "$CC" "${cflags[@]}" -Wl,--strip-debug "$src" -o "$out"
  chmod 644 "$out" # the linker marks it executable; keep git modes uniform
done

# Fixtures that must be malformed, so they have no source to compile.
mkdir -p "$fixtures"
# The tests run the examples from copies of their own: modules/ is the user's folder.
mkdir -p "$fixtures/examples"
for src in "$modules"/*.wat "$modules"/*.c; do
  example="${src%.*}.wasm"
  echo "copy      $(rel "$example") -> $(rel "$fixtures/examples")"
  cp "$example" "$fixtures/examples/"
done
echo "write     $(rel "$fixtures/broken.wasm") (not wasm at all)"
printf 'this is not wasm\n' >"$fixtures/broken.wasm"

[[ -f "$modules/math.wasm" ]] || die "modules/math.wasm is missing; cannot make truncated.wasm"
echo "head      $(rel "$fixtures/truncated.wasm") (first 20 bytes of modules/math.wasm)"
head -c 20 "$modules/math.wasm" >"$fixtures/truncated.wasm"

echo "done"
