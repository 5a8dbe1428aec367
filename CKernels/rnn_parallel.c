// rnn_parallel.c — running a recurrent time loop on several threads at once.
// Dims: B = batch rows, split into contiguous slices, one per thread.
//
// Batch slices: a batch row's recurrence never reads another row, so each thread
// can run the whole time loop for its slice, and no step waits for another thread.
// Column teams: when every thread cannot read all the weights at every step, the
// members split each step's work and meet at a barrier between its phases. Either
// way the threads are started per call (tens of microseconds against a loop of
// milliseconds) and the caller works the first share itself.
#include "ckernels.h"
#include "rnn_internal.h"

#include <pthread.h>
#include <sched.h>

// Per calling thread, so a test or a benchmark can pin one path without touching
// kernels other threads run at the same time.
static _Thread_local int thread_limit = 0;  // 0: automatic, else exactly (≤ units)
static _Thread_local ck_rnn_path chosen_path = CK_RNN_PATH_AUTO;

void ck_rnn_set_threads(int n) { thread_limit = n > 0 ? n : 0; }

void ck_rnn_set_path(ck_rnn_path path) {
  chosen_path = path == CK_RNN_PATH_PORTABLE || path == CK_RNN_PATH_MICROKERNEL ||
                        path == CK_RNN_PATH_MICROKERNEL_COLUMNS
                    ? path
                    : CK_RNN_PATH_AUTO;
}

int ck__rnn_use_microkernel(void) {
  if (chosen_path == CK_RNN_PATH_PORTABLE || !ck__microkernel_available()) return 0;
#ifdef __OPTIMIZE__
  return 1;
#else
  // Unoptimised (debug) builds compile the micro-kernel without registers or
  // unrolling, many times slower than OpenBLAS: automatic means portable there.
  return chosen_path == CK_RNN_PATH_MICROKERNEL ||
         chosen_path == CK_RNN_PATH_MICROKERNEL_COLUMNS;
#endif
}

int ck__rnn_force_columns(void) {
  return chosen_path == CK_RNN_PATH_MICROKERNEL_COLUMNS && ck__rnn_use_microkernel();
}

int ck__rnn_thread_count(int units, int min_units, double flops) {
  if (!ck__rnn_use_microkernel()) return 1;  // OpenBLAS threads each product itself
  if (thread_limit > 0) return thread_limit < units ? thread_limit : units;
  int n = ck_get_num_threads();
  int by_rows = units / min_units;
  int by_work = (int)(flops / CK_RNN_MIN_FLOPS_PER_THREAD);
  if (n > by_rows) n = by_rows;
  if (n > by_work) n = by_work;
  return n < 1 ? 1 : n;
}

typedef struct {
  ck__rows_fn fn;
  void *ctx;
  int index, r0, r1;
} slice;

static void *run_slice(void *arg) {
  slice *s = arg;
  s->fn(s->ctx, s->index, s->r0, s->r1);
  return NULL;
}

void ck__parallel_rows(int nthreads, ck__rows_fn fn, void *ctx, int B) {
  enum { MAX_THREADS = 64 };
  if (nthreads > MAX_THREADS) nthreads = MAX_THREADS;
  if (nthreads <= 1) {
    fn(ctx, 0, 0, B);
    return;
  }
  slice slices[MAX_THREADS];
  pthread_t ids[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int i = 0; i < nthreads; i++)
    slices[i] = (slice){fn, ctx, i, (int)((long)B * i / nthreads),
                        (int)((long)B * (i + 1) / nthreads)};
  for (int i = 1; i < nthreads; i++)
    started[i] = pthread_create(&ids[i], NULL, run_slice, &slices[i]) == 0;
  run_slice(&slices[0]);
  for (int i = 1; i < nthreads; i++) {
    if (started[i]) pthread_join(ids[i], NULL);
    else run_slice(&slices[i]);  // no thread to be had: the caller does the slice
  }
}

// ---------------------------------------------------------------------------
// a team of threads that meet at a barrier between the phases of every step

void ck__barrier_init(ck__barrier *b, int n) {
  atomic_init(&b->arrived, 0);
  atomic_init(&b->phase, 0);
  b->n = n;
}

void ck__barrier_wait(ck__barrier *b) {
  if (b->n <= 1) return;
  int phase = atomic_load_explicit(&b->phase, memory_order_acquire);
  if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) == b->n - 1) {
    atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
    atomic_store_explicit(&b->phase, phase + 1, memory_order_release);
    return;
  }
  // A phase lasts microseconds: spin, then yield if another thread holds our core.
  for (int spins = 0; atomic_load_explicit(&b->phase, memory_order_acquire) == phase;
       spins++) {
    if (spins < 4096) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      sched_yield();
    }
  }
}

typedef struct {
  ck__team_fn fn;
  void *ctx;
  int index;
  atomic_int *size;  // the team's size, published once every thread is started
  ck__barrier *barrier;
} member;

static void *run_member(void *arg) {
  member *m = arg;
  int n;
  while ((n = atomic_load_explicit(m->size, memory_order_acquire)) == 0) sched_yield();
  if (m->index < n) m->fn(m->ctx, m->index, n, m->barrier);
  return NULL;
}

void ck__run_team(int nthreads, ck__team_fn fn, void *ctx) {
  enum { MAX_THREADS = 64 };
  if (nthreads > MAX_THREADS) nthreads = MAX_THREADS;
  ck__barrier barrier;
  if (nthreads <= 1) {
    ck__barrier_init(&barrier, 1);
    fn(ctx, 0, 1, &barrier);
    return;
  }
  atomic_int size;
  atomic_init(&size, 0);
  member members[MAX_THREADS];
  pthread_t ids[MAX_THREADS];
  int started = 1;  // the caller is member 0; a thread that cannot start ends the team
  for (; started < nthreads; started++) {
    members[started] = (member){fn, ctx, started, &size, &barrier};
    if (pthread_create(&ids[started], NULL, run_member, &members[started]) != 0) break;
  }
  ck__barrier_init(&barrier, started);
  atomic_store_explicit(&size, started, memory_order_release);
  fn(ctx, 0, started, &barrier);
  for (int i = 1; i < started; i++) pthread_join(ids[i], NULL);
}

void ck__run_column_team(int B, long panels, double flops, ck__team_fn fn, void *ctx) {
  int units = B < panels ? B : (int)panels;
  ck__run_team(ck__rnn_thread_count(units, 1, flops), fn, ctx);
}

typedef struct {
  int accumulate, m, n, k;
  const float *A, *B;
  long lda, ldb, ldc;
  float *C;
} weight_gemm;

// C's columns 16·v0 .. 16·v1 − 1 (the last slice ends at n)
static void weight_gemm_columns(void *arg, int slice, int v0, int v1) {
  const weight_gemm *g = arg;
  int c0 = 16 * v0, c1 = 16 * v1 < g->n ? 16 * v1 : g->n;
  ck__gemm(1, 1, g->accumulate, g->m, c1 - c0, g->k, g->A, g->lda, g->B + c0, g->ldb,
           g->C + c0, g->ldc);
}

void ck__rnn_weight_gemm(int fast, int accumulate, int m, int n, int k, const float *A,
                         long lda, const float *B, long ldb, float *C, long ldc) {
  if (!fast) {
    ck__gemm(0, 1, accumulate, m, n, k, A, lda, B, ldb, C, ldc);
    return;
  }
  weight_gemm g = {accumulate, m, n, k, A, B, lda, ldb, ldc, C};
  int vecs = (n + 15) / 16;  // slices of whole 16-float vectors
  ck__parallel_rows(ck__rnn_thread_count(vecs, 1, 2.0 * m * n * k), weight_gemm_columns,
                    &g, vecs);
}
