/* 200,000 lines of output, as a program that prints a lot does (bench/printing.ts). */
#include <stdio.h>
int main(void) {
    for (int i = 0; i < 200000; i++) printf("line %d of the output\n", i);
    return 0;
}
