/*
 * hello: a C program built with clang + wasi-libc, showing that ordinary
 * libc programs run in the VM as WASI commands.
 *
 * Build (see build.sh): clang --target=wasm32-wasi -O2 hello.c -o hello.wasm
 *
 * Running the bare module name calls `_start`, which wasi-libc's crt1 turns
 * into main(argc, argv); argv[0] is the module name as the VM passed it.
 */
#include <stdio.h>

int main(int argc, char **argv) {
    printf("Hello from C! argc=%d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("argv[%d]=%s\n", i, argv[i]);
    }
    return 0;
}

/*
 * An export besides `_start`, so mod.square(n) can be called directly.
 * export_name both exports it and keeps the linker from dropping it as
 * unused. It touches no libc state, so it is safe to call even though a
 * command module's libc is only initialised inside `_start`.
 */
__attribute__((export_name("square")))
int square(int x) {
    return x * x;
}

/*
 * Work worth spreading over nodes: hello.fib(n) computes the n-th Fibonacci
 * number the slow way, so `Node.map(hello.fib, 30..40)` keeps every node busy.
 */
__attribute__((export_name("fib")))
long long fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
