// rnn_threads.c — runs a recurrent time loop as batch slices side by side (see
// rnn_internal.h, "batch-parallel time loops").
#include "ckernels.h"
#include "rnn_internal.h"

#include <cblas.h>
#include <pthread.h>

// The most slices (threads) one loop is split into.
#define MAX_SLICES 16

typedef struct {
  void (*body)(void *ctx, int r0, int r1);
  void *ctx;
  int r0, r1;
} slice;

static void *run_slice(void *arg) {
  slice *s = arg;
  s->body(s->ctx, s->r0, s->r1);
  return NULL;
}

void ck__rnn_parallel_rows(void (*body)(void *ctx, int r0, int r1), void *ctx, int B) {
  int threads = openblas_get_num_threads();
  int parts = threads < MAX_SLICES ? threads : MAX_SLICES;
  if (parts > B / CK_RNN_MIN_SLICE_ROWS) parts = B / CK_RNN_MIN_SLICE_ROWS;
  if (parts < 2) {
    body(ctx, 0, B);
    return;
  }
  slice slices[MAX_SLICES];
  pthread_t ids[MAX_SLICES];
  int started[MAX_SLICES] = {0};
  for (int i = 0; i < parts; i++)
    slices[i] = (slice){body, ctx, (int)((long)B * i / parts), (int)((long)B * (i + 1) / parts)};
  openblas_set_num_threads(1);
  for (int i = 1; i < parts; i++)
    started[i] = pthread_create(&ids[i], NULL, run_slice, &slices[i]) == 0;
  // The caller takes the first slice, and any slice whose thread could not start.
  run_slice(&slices[0]);
  for (int i = 1; i < parts; i++) {
    if (started[i]) pthread_join(ids[i], NULL);
    else run_slice(&slices[i]);
  }
  openblas_set_num_threads(threads);
}
