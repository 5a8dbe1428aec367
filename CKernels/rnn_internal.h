// rnn_internal.h — private to CKernels: scalar activation math the fused recurrent
// passes inline, and the GEMM helpers the three recurrent cells share.
// Dims: B = batch, T = time, D = input features, H = units, G = gates per cell
// (SimpleRNN 1, GRU 3, LSTM 4), N = element count.
#ifndef CKERNELS_RNN_INTERNAL_H
#define CKERNELS_RNN_INTERNAL_H

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

// ---------------------------------------------------------------------------
// vector clones
//
// Loops marked CK_VECTOR_CLONES are compiled three times on x86-64 Linux: for the
// baseline target (SSE2), for x86-64-v3 (AVX2 + FMA) and for x86-64-v4 (AVX-512);
// the dynamic loader picks one copy per process from the CPU (an ifunc), so the
// same machine always runs the same code. The v4 copy runs the activation math 16
// lanes wide (the seed-size LSTM inference pass ~10% faster than with v3 alone).
// Elsewhere they are compiled once, for the baseline. No special compiler flags.
#if defined(__x86_64__) && defined(__linux__) && (defined(__clang__) || defined(__GNUC__))
#define CK_VECTOR_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CK_VECTOR_CLONES
#endif

// ---------------------------------------------------------------------------
// scalar activations, branch-free so the loops that call them vectorise

static inline float ck__as_float(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static inline uint32_t ck__as_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

// exp(x) = 2^n · exp(r), n = round(x / ln2), r = x − n·ln2 with |r| ≤ ln2/2
// (Cody–Waite split of ln2), exp(r) by the Cephes expf minimax polynomial
// (about 1 ulp). x is clamped to [-87, 88] so 2^n stays a normal float: the result
// never overflows to inf; below -87 it is ~1.6e-38 instead of a denormal or 0.
// A NaN stays NaN.
static inline float ck__exp(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  const float magic = 12582912.0f;  // 1.5·2^23: adding it rounds to an integer
  float t = x * 1.44269504088896341f + magic;
  float n = t - magic;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // t's low mantissa bits hold n + magic's; the difference is n, exactly.
  uint32_t biased = ck__as_bits(t) - ck__as_bits(magic) + 127u;
  return p * ck__as_float(biased << 23);
}

// sigmoid(x) = 1 / (1 + exp(-x)); relative accuracy comes from exp's. Saturates to
// 1 for large x and to ~1e-38 for x below -87 (true value even smaller).
static inline float ck__sigmoid(float x) { return 1.0f / (1.0f + ck__exp(-x)); }

// tanh(x): |x| < 0.625: odd polynomial x + x·z·P(z), z = x² (Cephes tanhf), which
// keeps the relative accuracy near zero that 1 − 2/(e+1) would lose; otherwise
// sign(x) · (1 − 2 / (exp(2|x|) + 1)), which saturates to ±1 without overflow.
static inline float ck__tanh(float x) {
  float ax = fabsf(x);
  float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  p = p * z * x + x;
  float q = 1.0f - 2.0f / (ck__exp(2.0f * ax) + 1.0f);
  q = copysignf(q, x);
  return ax < 0.625f ? p : q;
}

// relu(x) = max(x, 0); a NaN stays NaN.
static inline float ck__relu(float x) { return x < 0.0f ? 0.0f : x; }

// ---------------------------------------------------------------------------
// cache-line layout of the blocks the per-step products read

// Floats in a 64-byte cache line (and in an AVX-512 vector).
#define CK_LINE_FLOATS 16

// p rounded up to the next cache line; a workspace keeps CK_LINE_FLOATS spare floats
// for each block it aligns this way.
static inline float *ck__line_align(float *p) {
  uintptr_t a = ((uintptr_t)p + 63u) & ~(uintptr_t)63u;
  return (float *)a;
}

// n rounded up to whole cache lines.
static inline long ck__round_line(long n) {
  return (n + CK_LINE_FLOATS - 1) / CK_LINE_FLOATS * CK_LINE_FLOATS;
}

// A row stride for n floats: whole lines, and an odd count of them, so the rows of a
// strip fall into every set of L1 rather than a few (a 1 KiB stride uses a quarter).
static inline long ck__padded_row(long n) {
  long lines = ck__round_line(n) / CK_LINE_FLOATS;
  return (lines % 2 ? lines : lines + 1) * CK_LINE_FLOATS;
}

// ---------------------------------------------------------------------------
// row helpers for the fused step passes
//
// Each works on one contiguous block of one batch row: single-purpose loops over
// restrict pointers with no optional operand and no branch, so they vectorise in
// every clone (including the SSE2 baseline). They are always inlined into the
// CK_VECTOR_CLONES step functions, so each clone compiles them for its own target.
#define CK_ROW static inline __attribute__((always_inline))

// y = sigmoid(y), in place
CK_ROW void ck__row_sigmoid(float *restrict y, int n) {
  for (int k = 0; k < n; k++) y[k] = ck__sigmoid(y[k]);
}

// y = tanh(y), in place
CK_ROW void ck__row_tanh(float *restrict y, int n) {
  for (int k = 0; k < n; k++) y[k] = ck__tanh(y[k]);
}

// y = relu(y), in place
CK_ROW void ck__row_relu(float *restrict y, int n) {
  for (int k = 0; k < n; k++) y[k] = ck__relu(y[k]);
}

// Asks the cache for the n floats at p, ahead of their use (write: for writing). The
// step passes walk the batch rows of one step, which lie T steps' worth of floats
// apart: each row is a new short stream the hardware prefetcher meets cold, so the
// passes fetch a row or two ahead themselves.
CK_ROW void ck__prefetch_row(const float *p, int n, int write) {
  for (int k = 0; k < n; k += 16) {
    if (write) __builtin_prefetch(p + k, 1);
    else __builtin_prefetch(p + k, 0);
  }
}

// How many rows ahead the step passes prefetch.
#define CK_PREFETCH_ROWS 2

// y += x
CK_ROW void ck__row_add(float *restrict y, const float *restrict x, int n) {
  for (int k = 0; k < n; k++) y[k] += x[k];
}

// ---------------------------------------------------------------------------
// GEMM helpers shared by simple_rnn.c, lstm.c, gru.c (rnn_common.c)
//
// Layout reminder: batch-first (B,T,N) buffers; the step-t slice is B rows of N
// contiguous floats starting at t·N with row stride T·N. rdmask is (G,B,H), gate g's
// mask at rdmask + g·B·H; U is (H, G·H) and gate g owns columns g·H..(g+1)·H.

// P (B·T, N) = x (B·T, D; row stride ldx) · W (D, N) + b (N, NULL: none), W's
// leading dimension ldw. With a bias, P's rows are set to b and the GEMM accumulates
// onto them, so no separate pass over P adds it.
void ck__rnn_input_gemm(float *P, const float *x, int ldx, const float *W,
                        const float *b, int ldw, int BT, int D, int N);

// C (B, (g1−g0)·H) (+)= Σ_g (h ⊙ m_g) · U[:, g·H..(g+1)·H] for g in g0..g1−1, gate
// g's columns landing at C + (g−g0)·H. beta as in sgemm. Without rdmask one GEMM
// over all the gates; with it one GEMM per gate, through tmp (B,H).
void ck__rnn_recurrent_gemm(float *C, int ldc, float beta, const float *h,
                            const float *U, int ldu, const float *rdmask, float *tmp,
                            int g0, int g1, int B, int H);

// The adjoint for h: dh (B,H) += Σ_g (dZ_g · U_gᵀ) ⊙ m_g, dZ_g = dZ + (g−g0)·H with
// row stride lddz. tmp (B,H) is used only with rdmask.
void ck__rnn_recurrent_gemm_backward(float *dh, const float *dZ, int lddz,
                                     const float *U, int ldu, const float *rdmask,
                                     float *tmp, int g0, int g1, int B, int H);

// The adjoint for U: dU[:, g·H..] += (hprev ⊙ m_g)ᵀ · dZ_g over all B·T rows.
// hprev is B·T rows of H with row stride ldh, batch-first (B,T) or, with
// time_major, (T,B) — the rows of dZ (row stride lddz, gate g at dZ + (g−g0)·H) in
// the same order. hm (B·T,H) is scratch, used only with rdmask (the mask is per
// batch row, fixed over time, so it cannot be pulled out of the sum over rows).
void ck__rnn_recurrent_weight_grad(float *dU, int lddu, const float *hprev, int ldh,
                                   int time_major, const float *dZ, int lddz,
                                   const float *rdmask, float *hm, int g0, int g1, int B,
                                   int T, int H);

// P (rows, N) += b (N) on every row.
void ck__add_row_bias(float *P, const float *b, long rows, int N);

// db (N) += Σ_rows dZ (rows, N), row stride ld.
void ck__col_sum_acc(float *db, const float *dZ, long rows, int N, long ld);

// ---------------------------------------------------------------------------
// small products and batch-parallel time loops (microkernel.c, rnn_parallel.c)

// 1 when this CPU runs microkernel.c's AVX-512 kernel.
int ck__microkernel_available(void);

// C (m,n) = [C +] op(A) (m,k) · B (k,n), row-major with row strides lda, ldb, ldc;
// op(A) = A (m,k), or with trans_a Aᵀ of A (k,m); accumulate 0 overwrites C. fast:
// the AVX-512 kernel on the calling thread (only when ck__microkernel_available()),
// else OpenBLAS's sgemm.
void ck__gemm(int fast, int trans_a, int accumulate, int m, int n, int k,
              const float *A, long lda, const float *B, long ldb, float *C, long ldc);

// Panels: a (rows, cols) matrix stored as ⌈cols/64⌉ blocks of 64 columns, block j
// (rows, 64) contiguous at j·64·rows, so the micro-kernel streams each strip of B
// front to back (the hardware prefetcher follows it) instead of in rows far apart.
// The weights of large layers are packed once per call and read at every step.
#define CK_PANEL_COLUMNS 64
static inline long ck__panel_count(long cols) {
  return (cols + CK_PANEL_COLUMNS - 1) / CK_PANEL_COLUMNS;
}

// dst = the panels of the (rows, cols) matrix whose (r, c) entry is src[r·lds + c],
// or with transposed src[c·lds + r]. Columns past cols in the last panel are not
// written.
void ck__pack_panels(float *dst, const float *src, long lds, int transposed, int rows,
                     int cols);

// C's columns of panels s0..s1−1 (of n in all): C (m, ·) (+)= A (m,k) · B (k, ·),
// B packed as panels at Bp. Needs the micro-kernel (ck__microkernel_available).
void ck__gemm_panels(int accumulate, int m, int n, int k, const float *A, long lda,
                     const float *Bp, int s0, int s1, float *C, long ldc);

// dst (cols, rows; row stride ldd) = srcᵀ, src (rows, cols; row stride lds).
void ck__transpose(float *dst, long ldd, const float *src, long lds, int rows,
                   int cols);

// Whether the time loops use the micro-kernel (and threads of their own), from the
// CPU, the build and the calling thread's ck_rnn_set_path.
int ck__rnn_use_microkernel(void);

// P (rows, N) = b (N, NULL: none) + x (rows, D; row stride ldx) · W, W (D, N) packed
// as panels at Wp: the micro-kernel on the calling thread (a column team's member
// runs its share of the rows), b first and then x's terms in order, as
// ck__rnn_input_gemm sums them.
void ck__rnn_input_panels(float *P, const float *x, long ldx, const float *Wp,
                          const float *b, long rows, int D, int N);

// Threads for work split into `units` (batch rows, vectors of columns) doing
// `flops` in all: 1 on the portable path; else ck_rnn_set_threads's count (at most
// units), or by default OpenBLAS's thread count, at most one thread per min_units
// units and per CK_RNN_MIN_FLOPS_PER_THREAD.
#define CK_RNN_MIN_ROWS_PER_THREAD 8
#define CK_RNN_MIN_FLOPS_PER_THREAD 4e6
int ck__rnn_thread_count(int units, int min_units, double flops);

// fn(ctx, i, r0, r1) for nthreads contiguous slices i = [r0, r1) of 0..B−1 at once,
// in order, the first on the calling thread; returns when all are done.
typedef void (*ck__rows_fn)(void *ctx, int slice, int r0, int r1);
void ck__parallel_rows(int nthreads, ck__rows_fn fn, void *ctx, int B);

// 1 when the calling thread forces the column split (CK_RNN_PATH_MICROKERNEL_COLUMNS)
// on a CPU and build that run the micro-kernel.
int ck__rnn_force_columns(void);

// A barrier for n threads, reusable step after step.
typedef struct {
  atomic_int arrived, phase;
  int n;
} ck__barrier;
void ck__barrier_init(ck__barrier *b, int n);
void ck__barrier_wait(ck__barrier *b);

// Member i's shares of a team of n on the column path: batch rows r0..r1−1 (the
// fused passes), panels s0..s1−1 of `panels` (the per-step products) and rows
// p0..p1−1 of the B·T input rows (the input projection). Contiguous, in member order.
typedef struct {
  int r0, r1, s0, s1;
  long p0, p1;
} ck__team_share;

static inline ck__team_share ck__team_share_of(int i, int n, int B, int T, int panels) {
  long BT = (long)B * T;
  ck__team_share s = {(int)((long)B * i / n), (int)((long)B * (i + 1) / n),
                      panels * i / n, panels * (i + 1) / n, BT * i / n, BT * (i + 1) / n};
  return s;
}

// fn(ctx, i, n, barrier) on a team of n threads at once, the calling thread as
// i = 0; n is nthreads, or fewer when threads cannot be started (fn must work for
// any n ≥ 1), and barrier is made for the n. Returns when all are done.
typedef void (*ck__team_fn)(void *ctx, int index, int nthreads, ck__barrier *barrier);
void ck__run_team(int nthreads, ck__team_fn fn, void *ctx);

// ck__run_team for the column path of B batch rows and `panels` panels of products
// doing `flops` in all: at most one member per row and per panel.
void ck__run_column_team(int B, long panels, double flops, ck__team_fn fn, void *ctx);

// C (m,n) = [C +] Aᵀ · B, A (k,m), B (k,n) — a weight gradient summed over k = B·T
// rows. fast: the micro-kernel with C's columns split across threads (each
// element's sum runs in the same order whatever the split); else OpenBLAS.
void ck__rnn_weight_gemm(int fast, int accumulate, int m, int n, int k, const float *A,
                         long lda, const float *B, long ldb, float *C, long ldc);

// The largest weight matrix (floats) the LSTM's batch slices read at every step:
// 128 Ki floats = 512 KiB, half a core's L2 here. Above it the column path runs.
#define CK_RNN_MICROKERNEL_MAX_WEIGHTS (128L * 1024)

#endif  // CKERNELS_RNN_INTERNAL_H
