/*
 * Native reference for PeakFlops: 12 independent fp32 vector FMA chains per thread, out of
 * registers, 256-bit (AVX2) and, when compiled for it, 512-bit (AVX-512). Prints the best of 10
 * rounds by wall time and by the threads' own CPU time (what PeakFlops uses).
 *
 *   gcc -O2 -mavx2 -mfma -pthread docs/peak_flops.c -o /tmp/peak_flops && /tmp/peak_flops 2
 *   gcc -O2 -march=native -pthread docs/peak_flops.c -o /tmp/peak_flops && /tmp/peak_flops 1
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ITERS 5000000L

static double clock_s(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct { double cpu; float sink; } result;

#define CHAINS(T, FMA, SET)                                                                       \
    result *r = arg;                                                                              \
    double c_0 = clock_s(CLOCK_THREAD_CPUTIME_ID);                                                \
    T a = SET(1e-4f), b = SET(1e-4f);                                                             \
    T c0 = SET(1), c1 = SET(1.1f), c2 = SET(1.2f), c3 = SET(1.3f), c4 = SET(1.4f), c5 = SET(1.5f), \
      c6 = SET(1.6f), c7 = SET(1.7f), c8 = SET(1.8f), c9 = SET(1.9f), c10 = SET(2), c11 = SET(2.1f); \
    for (long i = 0; i < ITERS; i++) {                                                            \
        c0 = FMA(a, b, c0); c1 = FMA(a, b, c1); c2 = FMA(a, b, c2); c3 = FMA(a, b, c3);           \
        c4 = FMA(a, b, c4); c5 = FMA(a, b, c5); c6 = FMA(a, b, c6); c7 = FMA(a, b, c7);           \
        c8 = FMA(a, b, c8); c9 = FMA(a, b, c9); c10 = FMA(a, b, c10); c11 = FMA(a, b, c11);       \
        __asm__ volatile("" ::: "memory");                                                        \
    }                                                                                             \
    T s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;                            \
    memcpy(&r->sink, &s, sizeof(float));                                                          \
    r->cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c_0;                                              \
    return NULL;

static void *chains256(void *arg) { CHAINS(__m256, _mm256_fmadd_ps, _mm256_set1_ps) }
#ifdef __AVX512F__
static void *chains512(void *arg) { CHAINS(__m512, _mm512_fmadd_ps, _mm512_set1_ps) }
#endif

static void measure(int bits, void *(*body)(void *), int threads) {
    double best_wall = 0, best_cpu = 0;
    for (int round = 0; round < 10; round++) {
        pthread_t t[256];
        result r[256];
        double w0 = clock_s(CLOCK_MONOTONIC);
        for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, body, &r[i]);
        for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
        double wall = clock_s(CLOCK_MONOTONIC) - w0, per_thread = (double) ITERS * 12 * 2 * (bits / 32), cpu_rate = 0;
        for (int i = 0; i < threads; i++) cpu_rate += per_thread / r[i].cpu;
        if (threads * per_thread / wall > best_wall) best_wall = threads * per_thread / wall;
        if (cpu_rate > best_cpu) best_cpu = cpu_rate;
    }
    printf("%d-bit, %d threads: %.1f GFLOP/s by wall time, %.1f by CPU time\n", bits, threads, best_wall / 1e9, best_cpu / 1e9);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    if (threads < 1 || threads > 256) threads = 1;
    measure(256, chains256, threads);
#ifdef __AVX512F__
    measure(512, chains512, threads);
#endif
    return 0;
}
