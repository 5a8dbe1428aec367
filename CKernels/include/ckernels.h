// ckernels.h — the one public header of RNNKit's C kernels.
//
// Kernels work on raw, contiguous, row-major float32 buffers that the caller owns.
// They never allocate what the caller can pass, never print and never exit.
// Functions that can fail return an int status: 0 ok, a negative value -k when
// argument k (1-based) was invalid, a positive value passing on LAPACK's info.
//
// Dims legend used throughout: B = batch, T = time, D = input features, H = units,
// N = element count, n = matrix order.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------
// gemm.c — thin wrappers over cblas_sgemm, row-major

// C (M,N) = alpha * op(A) (M,K) · op(B) (K,N) + beta * C.
// trans_a / trans_b: 0 = as stored, 1 = transposed. lda/ldb/ldc are row strides.
void ck_sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc);

// The same product for `batch` independent matrices stored back to back:
// A is (batch, M, K) (or (batch, K, M) when transposed), B likewise, C is (batch, M, N).
// A stride of 0 for A or B reuses one matrix for every batch entry (broadcast).
void ck_sgemm_batched(int trans_a, int trans_b, int batch, int M, int N, int K,
                      float alpha, const float *A, long stride_a, const float *B,
                      long stride_b, float beta, float *C, long stride_c);

// Threads OpenBLAS may use (0 leaves the library's choice).
void ck_set_num_threads(int n);
int ck_get_num_threads(void);

// ---------------------------------------------------------------------------
// elementwise.c — unary and broadcasting binary operations

typedef enum {
  CK_NEG = 0, CK_EXP, CK_LOG, CK_SQRT, CK_TANH, CK_SIGMOID, CK_RELU, CK_ABS,
  CK_SQUARE, CK_SIGN
} ck_unary_op;

// y (N) = op(x (N)). y may alias x.
void ck_unary(ck_unary_op op, float *y, const float *x, long N);

// dx (N) += dy (N) * op'(x), using x and/or y = op(x) as the formula prefers.
// Accumulates, as every backward does.
void ck_unary_backward(ck_unary_op op, float *dx, const float *dy, const float *x,
                       const float *y, long N);

typedef enum {
  CK_ADD = 0, CK_SUB, CK_MUL, CK_DIV, CK_MAXIMUM, CK_MINIMUM, CK_POW,
  CK_EQUAL, CK_GREATER, CK_LESS
} ck_binary_op;

// out = a op b with broadcasting. out is contiguous with `shape` (rank dims);
// a_strides / b_strides give each operand's element stride per output dim (0 where
// that operand is broadcast). Comparisons give 1.0 for true and 0.0 for false.
// rank may be 0 (a scalar). Returns 0, or -6 when rank is negative or above 16.
int ck_binary(ck_binary_op op, float *out, const long *shape, int rank,
              const float *a, const long *a_strides, const float *b,
              const long *b_strides);

// y (N) = min(max(x, lo), hi).
void ck_clamp(float *y, const float *x, long N, float lo, float hi);

// ---------------------------------------------------------------------------
// reduce.c — reductions over the middle axis of an (outer, n, inner) view

typedef enum { CK_REDUCE_SUM = 0, CK_REDUCE_MAX, CK_REDUCE_MIN } ck_reduce_op;

// out (outer, inner) = reduce over n of x (outer, n, inner). n must be >= 1 for
// max and min. Sums accumulate in double and round once, so the result does not
// depend on how the work is split.
void ck_reduce(ck_reduce_op op, float *out, const float *x, long outer, long n,
               long inner);

// out (outer, inner) = index along n of the first maximum of x (outer, n, inner).
void ck_argmax(int64_t *out, const float *x, long outer, long n, long inner);

// ---------------------------------------------------------------------------
// copy.c — strided gather and scatter-add (slicing, transposes, broadcasts)

// out (shape, contiguous) [i0,..,ik] = x[offset + sum_j i_j * strides[j]].
// Strides may be 0 (broadcast) or negative. Returns -5 for a bad rank.
int ck_gather_strided(float *out, const float *x, long offset, const long *shape,
                      int rank, const long *strides);

// The adjoint: dx[offset + sum_j i_j * strides[j]] += g[i0,..,ik].
int ck_scatter_add_strided(float *dx, const float *g, long offset,
                           const long *shape, int rank, const long *strides);

// ---------------------------------------------------------------------------
// random.c — seeded, repeatable random numbers (xoshiro256**, seeded by splitmix64)

typedef struct { uint64_t s[4]; } ck_rng;

void ck_rng_seed(ck_rng *rng, uint64_t seed);
uint64_t ck_rng_next(ck_rng *rng);
// out (N) ~ U[lo, hi).
void ck_rng_uniform(ck_rng *rng, float *out, long N, float lo, float hi);
// out (N) ~ Normal(mean, std), Box–Muller in double.
void ck_rng_normal(ck_rng *rng, float *out, long N, float mean, float std);
// out (N) ~ Normal(mean, std) redrawn until within two standard deviations, as
// tf.random.truncated_normal and Keras's TruncatedNormal do.
void ck_rng_truncated_normal(ck_rng *rng, float *out, long N, float mean, float std);
// out (N) = a uniformly random permutation of 0..N-1 (Fisher–Yates).
void ck_rng_permutation(ck_rng *rng, int64_t *out, long N);

// ---------------------------------------------------------------------------
// activations.c — sigmoid / tanh / relu over arrays, forward and backward
//
// Fast branch-free float math (range-reduced polynomial exp; tanh by an odd
// polynomial for |x| < 0.625 and 1 − 2/(exp(2|x|)+1) beyond), vectorised, with an
// AVX2+FMA or AVX-512 copy chosen at run time. ≤ 2e-6 relative error against double
// (≤ 1e-7 absolute near zero); finite and saturating for any finite input, NaN
// stays NaN.
// y may alias x. Backward accumulates dx += dy · f'(x), written with y = f(x).

void ck_sigmoid_forward(float *y, const float *x, long N);   // y, x are (N)
void ck_sigmoid_backward(float *dx, const float *dy, const float *y, long N);
void ck_tanh_forward(float *y, const float *x, long N);
void ck_tanh_backward(float *dx, const float *dy, const float *y, long N);
void ck_relu_forward(float *y, const float *x, long N);
void ck_relu_backward(float *dx, const float *dy, const float *y, long N);  // 0 at 0

// ---------------------------------------------------------------------------
// Recurrent kernels: simple_rnn.c, lstm.c, gru.c — conventions shared by all three
//
// Layout. Every argument is batch-first and row-major, as the caller holds it:
//   x (B,T,D), y (B,T,H), mask (B,T), dy (B,T,H); states h0, hT, c0, cT are (B,H).
// Inside, SimpleRNN and GRU stay batch-first: the one input GEMM computes
// (B·T, D) × (D, G·H) into a (B,T,G·H) buffer; the slice of step t is then B rows
// of G·H contiguous floats with a row stride of T·G·H, which sgemm takes directly
// as ldc / lda, so per-step GEMMs and the fused passes need no copies, and
// dW = xᵀ·dZ, dX = dZ·Wᵀ and dU = Hprevᵀ·dZ are single GEMMs over all B·T rows.
// LSTM works time-major inside: each step's slice of its (T,B,·) buffers is
// contiguous; x is read (and dx written) one step at a time with a row stride of
// T·D. Each row of a step is laid out as [1, x_t, h_{t-1}] beside the weights
// [b; W; U], so a step's pre-activations are one product (rnn_parallel.c below says
// how its time loop is split across threads).
//
// Weights, exactly Keras's layout (G gates packed side by side along columns):
//   SimpleRNN  G = 1   kernel W (D,H)   recurrent_kernel U (H,H)   bias (H)
//   LSTM       G = 4   kernel W (D,4H)  recurrent_kernel U (H,4H)  bias (4H)
//              gate order i, f, c, o  (input, forget, cell candidate g, output)
//   GRU        G = 3   kernel W (D,3H)  recurrent_kernel U (H,3H)
//              gate order z, r, h     (update, reset, candidate)
//              reset_after = 1: bias (2,3H), row 0 input bias, row 1 recurrent bias
//              reset_after = 0: bias (3H)
// A NULL bias means use_bias = false (then pass db = NULL too).
//
// Masking (mask (B,T) of 0/1 floats, NULL = none). Where mask[b,t] == 0 the step is
// skipped for row b: h_t = h_{t-1} (and c_t = c_{t-1}) and the output y_t repeats
// the carried state, as Keras does (with a zero initial state, leading masked steps
// output zeros). Backward is exact: a masked step passes dh, dc straight through
// and gives zero gate gradients.
//
// Recurrent dropout (rdmask, NULL = none). Keras 3 switches a cell to its
// per-gate implementation when recurrent_dropout > 0 and draws one (B,H) mask per
// gate, fixed for the whole sequence: rdmask is (G,B,H) (SimpleRNN (1,B,H) = (B,H),
// GRU (3,B,H), LSTM (4,B,H)), gate g's recurrent product using (h_{t-1} ⊙ m_g)·U_g.
// With a mask the kernels run G GEMMs per step (one per gate) instead of one, and
// dU = Σ_g (Hprev ⊙ m_g)ᵀ·dZ_g likewise; without it the one-GEMM path runs.
// The carried state itself is never masked. Input dropout is the caller's (on x).
//
// Cache and workspace. Training calls the forward with a cache of
// ck_*_cache_size floats; backward reads it and the same x, mask, rdmask, W, U.
// A NULL cache is inference: nothing is kept for backward. Every call also needs a
// workspace of ck_*_workspace_size floats (scratch, contents irrelevant between
// calls; one size serves forward, inference and backward). Sizes are in floats and
// depend on (B,T,D,H) as documented per cell. Kernels allocate nothing.
//
// Optional pointers: forward outputs y, hT, cT may be NULL (not wanted); h0, c0 NULL
// mean zeros. Backward: dy, dhT, dcT NULL mean zeros; gradient outputs dx, dh0,
// dc0, dW, dU, db may be NULL (not wanted). Backward ACCUMULATES (+=) into every
// gradient output; zeroing them is the caller's job.
//
// Cells. ck_*_cell_forward / _backward are one step (T = 1) of the sequence kernel,
// the same code, for the Swift Cell classes: x (B,D), h_prev (B,H) → h (B,H); the
// cell's output and new state are the same h, so the caller sums their gradients
// into dh. Cache and workspace sizes are the sequence sizes at T = 1. No mask.
//
// Status: 0 ok; -k when argument k (1-based) is NULL where required or a dimension
// is not positive (or an enum / flag is out of range).

// ---------------------------------------------------------------------------
// rnn_parallel.c — how the recurrent kernels run their time loops, for the calling
// thread
//
// On x86-64 CPUs with AVX-512 (in optimised builds), while [b; W; U] fits in 512
// KiB, the LSTM splits the batch rows into slices, one per thread
// (ck_get_num_threads, at most one per 8 rows), and each thread runs the whole time
// loop for its slice with a register-blocked kernel for the per-step products, so
// no step waits for another thread; in backward each slice also sums its own weight
// gradients step by step, and the slices' sums are added in slice order. Outputs,
// states and input gradients do not depend on the thread count; weight gradients
// depend on it only in their rounding, and never on which thread finishes first,
// so a run repeats bit for bit. Larger LSTMs (without recurrent dropout) take the
// column path there: the weights are packed once per call into 64-column panels,
// and a team of threads splits every step twice, the products by panels (each
// thread streams its share of the weights) and the fused passes by batch rows,
// meeting at a barrier between; every step's input projection is computed by the
// team first. Its results do not depend on the thread count at all. The forwards
// of SimpleRNN (H over 64) and GRU (reset_after, 3H over 64, no recurrent dropout)
// take the same column path; their backwards run the portable path. Otherwise the
// portable path runs the loop on the calling thread with OpenBLAS's sgemm per step
// (threaded inside), after one GEMM for all steps' input projections. Both
// settings hold for kernels the calling thread runs afterwards, and only for them;
// tests and rnnkit-bench use them to compare the paths.

typedef enum {
  CK_RNN_PATH_AUTO = 0,         // the micro-kernel where the CPU has it and the
                                // kernels were compiled with optimisation
  CK_RNN_PATH_PORTABLE = 1,     // OpenBLAS per step, on the calling thread
  CK_RNN_PATH_MICROKERNEL = 2,  // the micro-kernel wherever the CPU has it
  CK_RNN_PATH_MICROKERNEL_COLUMNS = 3  // the same, with the column split whatever
                                       // the weights' size
} ck_rnn_path;

void ck_rnn_set_path(ck_rnn_path path);
// n threads per time loop (at most one per batch row, or per panel on the column
// path; 0: automatic). Only the micro-kernel paths use threads of their own.
void ck_rnn_set_threads(int n);

// ---------------------------------------------------------------------------
// simple_rnn.c — h_t = act(x_t·W + h_{t-1}·U + b), act = tanh or relu
//
// cache (2·B·T·H floats): a (B,T,H) the activation output of every step, then
//   hprev (B,T,H) the state each step started from.
// workspace: exactly ck_simple_rnn_workspace_size(B, T, D, H) floats — size it from that
//   call, never from a formula: 2·B·T·H + 2·B·H, plus the packed weight panels of the
//   column path when H > 64.

typedef enum { CK_RNN_TANH = 0, CK_RNN_RELU = 1 } ck_rnn_activation;

long ck_simple_rnn_cache_size(int B, int T, int D, int H);
long ck_simple_rnn_workspace_size(int B, int T, int D, int H);

int ck_simple_rnn_forward(float *y, float *hT,
                          const float *x, const float *h0, const float *mask,
                          const float *rdmask,
                          const float *W, const float *U, const float *b,
                          ck_rnn_activation activation,
                          float *cache, float *workspace,
                          int B, int T, int D, int H);

int ck_simple_rnn_backward(float *dx, float *dh0, float *dW, float *dU, float *db,
                           const float *dy, const float *dhT,
                           const float *x, const float *mask, const float *rdmask,
                           const float *W, const float *U,
                           ck_rnn_activation activation,
                           const float *cache, float *workspace,
                           int B, int T, int D, int H);

int ck_simple_rnn_cell_forward(float *h, const float *x, const float *h_prev,
                               const float *rdmask,
                               const float *W, const float *U, const float *b,
                               ck_rnn_activation activation,
                               float *cache, float *workspace, int B, int D, int H);

int ck_simple_rnn_cell_backward(float *dx, float *dh_prev, float *dW, float *dU,
                                float *db, const float *dh, const float *x,
                                const float *rdmask, const float *W, const float *U,
                                ck_rnn_activation activation,
                                const float *cache, float *workspace,
                                int B, int D, int H);

// ---------------------------------------------------------------------------
// lstm.c — Keras LSTM, gate order i, f, c, o; sigmoid recurrent activation
//   i = sigmoid(x·Wi + h·Ui + bi)     f = sigmoid(x·Wf + h·Uf + bf)
//   g = tanh(x·Wc + h·Uc + bc)        o = sigmoid(x·Wo + h·Uo + bo)
//   c_t = f·c_{t-1} + i·g             h_t = o·tanh(c_t)
//
// cache (B·T·(7H + D + 1) floats), time-major: gates (T,B,4H) the activations i, f,
//   g, o of every step, then xh (T,B,1+D+H) each row's [1, x_t, h_{t-1}] (so db, dW
//   and dU are one GEMM), then cprev (T,B,H), then tanhc (T,B,H) = tanh(c_t) of the
//   step's new cell state.
// workspace: exactly ck_lstm_workspace_size(B, T, D, H) floats — size it from that call,
//   never from a formula: B·T·(5H + 16) + B·(1+D+H) + (1+D+H)·(4H + 16) + 4·B·H, plus
//   the column path's packed weight panels and row padding for weights over 512 KiB.

long ck_lstm_cache_size(int B, int T, int D, int H);
long ck_lstm_workspace_size(int B, int T, int D, int H);

int ck_lstm_forward(float *y, float *hT, float *cT,
                    const float *x, const float *h0, const float *c0,
                    const float *mask, const float *rdmask,
                    const float *W, const float *U, const float *b,
                    float *cache, float *workspace,
                    int B, int T, int D, int H);

int ck_lstm_backward(float *dx, float *dh0, float *dc0,
                     float *dW, float *dU, float *db,
                     const float *dy, const float *dhT, const float *dcT,
                     const float *x, const float *mask, const float *rdmask,
                     const float *W, const float *U,
                     const float *cache, float *workspace,
                     int B, int T, int D, int H);

int ck_lstm_cell_forward(float *h, float *c,
                         const float *x, const float *h_prev, const float *c_prev,
                         const float *rdmask,
                         const float *W, const float *U, const float *b,
                         float *cache, float *workspace, int B, int D, int H);

int ck_lstm_cell_backward(float *dx, float *dh_prev, float *dc_prev,
                          float *dW, float *dU, float *db,
                          const float *dh, const float *dc,
                          const float *x, const float *rdmask,
                          const float *W, const float *U,
                          const float *cache, float *workspace, int B, int D, int H);

// ---------------------------------------------------------------------------
// gru.c — Keras GRU, gate order z, r, h; sigmoid recurrent activation
// reset_after = 1 (Keras default, cuDNN-compatible), bias rows bi, br:
//   z  = sigmoid(x·Wz + bi_z + h·Uz + br_z)
//   r  = sigmoid(x·Wr + bi_r + h·Ur + br_r)
//   hh = tanh(x·Wh + bi_h + r ⊙ (h·Uh + br_h))
// reset_after = 0 (Cho et al. 2014 v3), bias b:
//   z  = sigmoid(x·Wz + h·Uz + b_z)   r = sigmoid(x·Wr + h·Ur + b_r)
//   hh = tanh(x·Wh + (r ⊙ h)·Uh + b_h)
// both: h_t = z ⊙ h_{t-1} + (1 − z) ⊙ hh
// reset_after = 1 runs one recurrent GEMM per step; reset_after = 0 needs two (the
// candidate's product waits for r) and two fused passes.
//
// cache (5·B·T·H floats): gates (B,T,3H) the activations z, r, hh of every step,
//   then hprev (B,T,H), then rec (B,T,H): reset_after = 1 keeps h·Uh + br_h,
//   reset_after = 0 keeps r ⊙ h (with h ⊙ m_h under recurrent dropout).
// workspace: exactly ck_gru_workspace_size(B, T, D, H) floats — size it from that call,
//   never from a formula: 7·B·T·H + 6·B·H, plus the packed weight panels of the column
//   path when 3H > 64.

long ck_gru_cache_size(int B, int T, int D, int H);
long ck_gru_workspace_size(int B, int T, int D, int H);

int ck_gru_forward(float *y, float *hT,
                   const float *x, const float *h0, const float *mask,
                   const float *rdmask,
                   const float *W, const float *U, const float *b, int reset_after,
                   float *cache, float *workspace,
                   int B, int T, int D, int H);

int ck_gru_backward(float *dx, float *dh0, float *dW, float *dU, float *db,
                    const float *dy, const float *dhT,
                    const float *x, const float *mask, const float *rdmask,
                    const float *W, const float *U, int reset_after,
                    const float *cache, float *workspace,
                    int B, int T, int D, int H);

int ck_gru_cell_forward(float *h, const float *x, const float *h_prev,
                        const float *rdmask,
                        const float *W, const float *U, const float *b,
                        int reset_after, float *cache, float *workspace,
                        int B, int D, int H);

int ck_gru_cell_backward(float *dx, float *dh_prev, float *dW, float *dU, float *db,
                         const float *dh, const float *x, const float *rdmask,
                         const float *W, const float *U, int reset_after,
                         const float *cache, float *workspace, int B, int D, int H);
// linalg.c — eigen-decompositions, singular values, norms, matrix powers (LAPACKE)
//
// Matrices are row-major and contiguous: a (n,n) holds a[i*n + j]. The LAPACK
// routines run through LAPACKE's row-major interface, which allocates its own
// workspace and a transposed copy internally (the one exception to "kernels never
// allocate": LAPACK's optimal workspace sizes are its own business).
//
// Status codes, besides 0 ok and -k for our argument k (1-based):
//   > 0                LAPACK's info: the algorithm did not converge
//   CK_ERR_NONFINITE   the input matrix holds a NaN or an infinity; LAPACK is not
//                      called (it may loop or return garbage on such input)
//   -1010, -1011       LAPACKE could not allocate its workspace / its transposed
//                      copy (LAPACK_WORK_MEMORY_ERROR, LAPACK_TRANSPOSE_MEMORY_ERROR)
// A negative info from LAPACK itself cannot happen: arguments are checked first.

#define CK_ERR_NONFINITE (-1000)

// Symmetric eigen-decomposition (ssyevd), like numpy.linalg.eigh:
// w (n) ascending eigenvalues; v (n,n) orthonormal eigenvectors as COLUMNS, so
// a·v[:,j] = w[j]·v[:,j]. Only the lower triangle of a (i >= j) is read, but the
// whole of a must be finite. a (n,n) is not modified; v must not alias a.
int ck_eigh(float *w, float *v, const float *a, int n);

// Eigenvalues of a general square matrix (sgeev), like numpy.linalg.eig:
// wr (n), wi (n) real and imaginary parts, in LAPACK's order (not sorted); complex
// eigenvalues come in conjugate pairs, the one with positive imaginary part first.
// vr (n,n) may be NULL; otherwise it receives the right eigenvectors in LAPACK's
// real packed form: if wi[j] == 0, column j is the (real) eigenvector of wr[j]; if
// wi[j] > 0, columns j and j+1 are the real and imaginary parts of the eigenvector
// of wr[j] + i·wi[j], i.e. v = vr[:,j] + i·vr[:,j+1], and its conjugate belongs to
// wr[j+1] = wr[j], wi[j+1] = -wi[j]. Each vector has Euclidean norm 1 and its
// largest component real.
// scratch (n,n) receives a copy of a that LAPACK destroys; it may be a itself
// (then a is overwritten), otherwise a is not modified.
int ck_eig(float *wr, float *wi, float *vr, const float *a, float *scratch, int n);

// Singular values (sgesdd, no vectors): s (min(m,n)) descending, all >= 0.
// a is (m,n); scratch (m,n) receives a copy LAPACK destroys and may be a itself.
int ck_singular_values(float *s, const float *a, float *scratch, int m, int n);

// out (n,n) = a^p for p >= 0 (p = 0 gives the identity) by repeated squaring with
// ck_sgemm. work holds 2·n·n floats. out may alias a. No finiteness check: NaN and
// infinities simply propagate through the products.
int ck_matrix_power(float *out, const float *a, float *work, int p, int n);

// Orthonormal columns from a QR decomposition (sgeqrf + sorgqr), as Keras's
// Orthogonal initializer uses it: q (m,n) = Q of a (m,n) = Q·R with m >= n, each
// column j multiplied by sign(R[j,j]) so the result is unique (a zero diagonal
// entry counts as +1). a is not modified; q must not alias a. work holds 2·n floats.
// Status as above: -k for argument k (n > m is argument 5), CK_ERR_NONFINITE, LAPACK info.
int ck_orthonormal_columns(float *q, const float *a, float *work, int m, int n);

typedef enum { CK_NORM_L1 = 0, CK_NORM_L2, CK_NORM_INF } ck_norm_ord;

// Vector norm over a buffer x (N): L1 = sum |x|, L2 = sqrt(sum x²), INF = max |x|.
// L1 and L2 accumulate in double and round once (no overflow for float input, no
// dependence on how work is split). The Frobenius norm of a matrix is CK_NORM_L2
// over its buffer. N = 0 gives 0; a NaN anywhere gives NaN.
float ck_vector_norm(ck_norm_ord ord, const float *x, long N);

// ---------------------------------------------------------------------------
// clip.c — gradient clipping with TensorFlow's exact formulas (tf.clip_by_*)
//
// clip_by_value has no kernel of its own: it is ck_clamp (elementwise section).
// TensorFlow computes maximum(minimum(t, hi), lo); ck_clamp computes
// min(max(x, lo), hi). They agree, NaN included (NaN stays NaN), whenever
// lo <= hi. For lo > hi TensorFlow returns lo everywhere and ck_clamp hi, so
// callers must reject lo > hi (the Swift wrapper does, with a precondition).

// Sum of squares of x (N), each square and the sum in double (exact squares,
// one rounding per addition in double). It is TensorFlow's reduce_sum(t * t)
// (and 2·l2_loss(t)) computed more accurately than in float; Inf and NaN propagate.
double ck_sum_squares(const float *x, long N);

// tf.clip_by_norm over the whole buffer, element by element in float:
//   clip     = max(clip_norm, 0)                    (negative clip_norm acts as 0)
//   l2sum    = (float) sum(x²)                      (a float, as TF's: past FLT_MAX
//                                                    it is inf, and y is 0 or NaN)
//   l2norm   = l2sum > 0 ? sqrtf(l2sum) : l2sum     (0 stays 0, NaN stays NaN)
//   y[i]     = (x[i] * clip) / max(l2norm, clip)    (multiply first, then divide;
//                                                    max propagates NaN)
// When l2norm <= clip, y = (x·clip)/clip: x itself when clip is a power of two,
// otherwise possibly an ulp away (-0.4·41/41 = -0.39999998), exactly as in
// TensorFlow. y (N) may alias x (N).
// Returns l2norm, the norm before clipping.
float ck_clip_by_norm(float *y, const float *x, long N, float clip_norm);

// tf.linalg.global_norm from per-tensor sums of squares ss (count), each from
// ck_sum_squares:
//   half      = (float) (sum ss / 2)       (TF: sum over tensors of l2_loss(t))
//   norm      = sqrtf(half * 2)
// The sum over tensors is in double, so the result does not depend on the order;
// TensorFlow's float sums can differ from it in the last bits.
float ck_global_norm(const double *ss, int count);

// The factor tf.clip_by_global_norm multiplies every tensor by:
//   scale = clip_norm * min(1 / global_norm, 1 / clip_norm) + (global_norm - global_norm)
// The last term is 0 for a finite norm and NaN for an infinite or NaN norm, so
// then every clipped value is NaN, as in TensorFlow. Note clip_norm · (1/clip_norm)
// may differ from 1 by an ulp, so unclipped tensors can change in the last bit, as
// they do in TensorFlow.
float ck_global_norm_scale(float clip_norm, float global_norm);

// y (N) = x (N) * scale, the second half of clip_by_global_norm. y may alias x.
void ck_clip_by_global_norm(float *y, const float *x, long N, float scale);

// ---------------------------------------------------------------------------
// Layers and training: embedding.c, dense.c, softmax.c, losses.c
// Dims: N = number of token ids (B·T), V = vocabulary size (input_dim),
// E = embedding size (output_dim), R = rows (every axis but the last, multiplied
// out), C = columns (the last axis: units, outputs or classes).
// Status: 0 ok, -k when argument k (1-based) is NULL where required, a dimension is
// out of range, or (ids, class targets) holds a value that is not an integer in range.

// embedding.c — token ids are floats holding integers in [0, V). Every kernel checks
// every id first, so none reads or writes outside the table.

// The index of the first id that is not an integer in [0, V) (NaN included), or -1.
long ck_embedding_first_invalid(const float *ids, long N, int V);

// y (N,E) = table (V,E) [ids (N)]. -2 when an id is invalid (nothing written then).
int ck_embedding_forward(float *y, const float *ids, const float *table,
                         long N, int V, int E);

// dtable (V,E) [ids[n]] += dy (N,E) [n] for n ascending on one thread, so rows hit by
// repeated ids sum in the same order every run. -3 when an id is invalid.
int ck_embedding_backward(float *dtable, const float *dy, const float *ids,
                          long N, int V, int E);

// dense.c — bias add and activation after the ck_sgemm of a Dense layer.

typedef enum { CK_ACT_LINEAR = 0, CK_ACT_RELU, CK_ACT_SIGMOID, CK_ACT_TANH } ck_activation;

// y (R,C) = act(z (R,C) + b (C)); b NULL = no bias. y may alias z.
int ck_bias_activation_forward(float *y, const float *z, const float *b,
                               ck_activation act, long R, int C);

// With g = dy (R,C) ⊙ act'(·) written with y (R,C) the forward's output:
// dz (R,C) += g; db (C) += Σ_r g (rows in order). dz or db may be NULL (not wanted).
int ck_bias_activation_backward(float *dz, float *db, const float *dy, const float *y,
                                ck_activation act, long R, int C);

// softmax.c — over the last axis, stable: y = exp(x − max) / Σ exp(x − max).

// y (R,C) from x (R,C); y may alias x.
int ck_softmax_forward(float *y, const float *x, long R, int C);
// dx (R,C) += y ⊙ (dy − Σ_c dy ⊙ y), with y (R,C) the forward's output.
int ck_softmax_backward(float *dx, const float *dy, const float *y, long R, int C);

// losses.c — Keras 3's losses on the TensorFlow backend, one value per row:
//   binary crossentropy   loss[r] = mean_c  −(y·log p + (1−y)·log(1−p)),
//                         p = clip(x, ε, 1−ε), ε = 1e-7; from logits
//                         mean_c max(x,0) − x·y + log(1 + exp(−|x|))
//   categorical           loss[r] = −Σ_c y·log clip(x / Σ_c x, ε, 1−ε);
//                         from logits Σ_c y·(logsumexp(x) − x), gradient softmax(x) − y
//   sparse categorical    target (R) class indices; loss[r] = logsumexp(z) − z_t with
//                         z = x (logits) or z = log clip(x, ε, 1−ε) (probabilities)
//   mean squared error    loss[r] = mean_c (y − x)²
// pred x (R,C), target y (R,C) (sparse: (R)). The caller averages rows (Keras's
// sum_over_batch_size). Backward accumulates dpred (R,C) += dloss[r]·∂loss[r]/∂x;
// clip_by_value passes the gradient only where ε <= value <= 1−ε.

int ck_binary_crossentropy_forward(float *loss, const float *pred, const float *target,
                                   int from_logits, long R, int C);
int ck_binary_crossentropy_backward(float *dpred, const float *dloss, const float *pred,
                                    const float *target, int from_logits, long R, int C);
int ck_categorical_crossentropy_forward(float *loss, const float *pred, const float *target,
                                        int from_logits, long R, int C);
int ck_categorical_crossentropy_backward(float *dpred, const float *dloss, const float *pred,
                                         const float *target, int from_logits, long R, int C);
int ck_sparse_categorical_crossentropy_forward(float *loss, const float *pred,
                                               const float *target, int from_logits,
                                               long R, int C);
int ck_sparse_categorical_crossentropy_backward(float *dpred, const float *dloss,
                                                const float *pred, const float *target,
                                                int from_logits, long R, int C);
int ck_mean_squared_error_forward(float *loss, const float *pred, const float *target,
                                  long R, int C);
int ck_mean_squared_error_backward(float *dpred, const float *dloss, const float *pred,
                                   const float *target, long R, int C);

// Accuracy metrics (losses.c): match = 1.0 where right, else 0.0; argmax takes the
// first maximum, as tf.argmax does.
// match (N) = ((pred (N) > threshold) == target (N)).
void ck_binary_accuracy(float *match, const float *pred, const float *target,
                        long N, float threshold);
// match (R) = argmax pred (R,C) == argmax target (R,C).
void ck_categorical_accuracy(float *match, const float *pred, const float *target,
                             long R, int C);
// match (R) = argmax pred (R,C) == target (R), a class index held as a float.
void ck_sparse_categorical_accuracy(float *match, const float *pred, const float *target,
                                    long R, int C);

// ---------------------------------------------------------------------------
// optimizers.c — fused in-place updates with Keras 3's formulas (keras/src/optimizers)
//
// One pass per parameter per update: w (N) and its slots (N each) are updated in
// place from the gradient g (N). Every float32 operation Keras does is done in the
// same order and rounded to float (no FMA contraction), so the results match Keras
// bit for bit given the same float32 coefficients. Coefficients Keras computes in
// Python double before rounding (1 - beta_1, 1 - beta_2, 1 - rho) are passed in
// already rounded. Each returns 0, or -k when argument k is unusable (NULL where a
// buffer is required, N < 0). Slots start at zero.

// SGD. m (N) is the momentum slot, NULL when momentum == 0 (then -2 if momentum != 0):
//   momentum == 0:  w = w - g·lr
//   otherwise:      m = m·momentum - g·lr
//                   w = w + m                      (nesterov == 0)
//                   w = w + (m·momentum - g·lr)    (nesterov != 0)
int ck_sgd_update(float *w, float *m, const float *g, long N, float lr, float momentum,
                  int nesterov);

// Adam's step size for update number t (t = iterations + 1 >= 1), in float:
//   alpha = lr · sqrt(1 - beta2^t) / (1 - beta1^t)
// (Keras 3 folds the bias correction into alpha; beta^t is powf in float.)
float ck_adam_alpha(float lr, float beta1, float beta2, long t);

// Adam (Keras 3 form), with alpha from ck_adam_alpha; vhat (N) is NULL unless amsgrad:
//   m = m + (g - m)·(1 - beta1)
//   v = v + (g² - v)·(1 - beta2)
//   amsgrad: vhat = max(vhat, v) (NaN propagates), and vhat replaces v below
//   w = w - (m·alpha) / (sqrt(v) + eps)      (eps outside the sqrt, on sqrt(v), not v̂)
int ck_adam_update(float *w, float *m, float *v, float *vhat, const float *g, long N,
                   float alpha, float one_minus_beta1, float one_minus_beta2, float eps);

// RMSprop (Keras 3 form). v (N) is the velocity; mg (N) the average gradient, NULL
// unless centered; mom (N) the momentum slot, NULL when momentum == 0:
//   v   = rho·v + (1 - rho)·g²
//   centered: mg = rho·mg + (1 - rho)·g;  d = (v - mg²) + eps   else d = v + eps
//   inc = (lr·g) / sqrt(d)                   (eps inside the sqrt)
//   with momentum: mom = momentum·mom + inc;  w = w - mom     else w = w - inc
int ck_rmsprop_update(float *w, float *v, float *mg, float *mom, const float *g, long N,
                      float lr, float rho, float one_minus_rho, float momentum, float eps);

// ---------------------------------------------------------------------------
// Convolution and pooling over time: conv1d.c, pooling.c — channels last, as Keras.
// Dims: B = batch, L = input steps, C = input channels, K = kernel size, F = filters,
// W = pool size, S = stride, P = left padding, M = output steps.
// Padding as TensorFlow: "valid" P = 0, M = (L − K) / S + 1 (L ≥ K); "same"
// M = ceil(L / S), total = max((M − 1)·S + K − L, 0), P = total / 2 (the extra step,
// if any, goes on the right). Output step m reads input steps m·S − P + k, k < K.
// Status: 0 ok, -k when argument k (1-based) is NULL where required or out of range.

// conv1d.c — im2col, then one GEMM over the whole batch; bias and activation after it
// are ck_bias_activation_forward / _backward. The kernel w is (K,C,F), Keras's layout.

// cols (B·M, K·C): row b·M + m holds x (B,L,C) [b, m·S − P + k, :] for k = 0..<K,
// zeros where the step falls outside [0, L).
int ck_im2col_1d(float *cols, const float *x, int B, int L, int C, int K, int S, int P,
                 int M);
// The adjoint: dx (B,L,C) += the rows of dcols (B·M, K·C) scattered back, in order.
int ck_col2im_1d(float *dx, const float *dcols, int B, int L, int C, int K, int S, int P,
                 int M);

// z (B·M, F) = im2col(x (B,L,C)) · w (K·C, F). cols (B·M, K·C) is scratch.
int ck_conv1d_forward(float *z, float *cols, const float *x, const float *w, int B, int L,
                      int C, int K, int F, int S, int P, int M);
// dw (K,C,F) += im2col(x)ᵀ · dz (B·M, F); dx (B,L,C) += col2im(dz · wᵀ). Either may be
// NULL (not wanted). cols (B·M, K·C) is scratch (im2col is redone, not kept).
int ck_conv1d_backward(float *dx, float *dw, float *cols, const float *dz, const float *x,
                       const float *w, int B, int L, int C, int K, int F, int S, int P,
                       int M);

// pooling.c — gradients at ties follow TensorFlow: max pooling sends a window's
// gradient to its first maximum; global max pooling splits it equally among all maxima.

// y (B,M,C) = max over each window of x (B,L,C); argmax (B,M,C) the first step
// holding it (the cache backward reads). Padded steps never win. -10 when window M−1
// starts at or past L; P must be < W.
int ck_max_pool1d_forward(float *y, int32_t *argmax, const float *x, int B, int L, int C,
                          int W, int S, int P, int M);
// dx (B,L,C) [b, argmax, c] += dy (B,M,C) [b,m,c]. -3 when an argmax is outside [0, L).
int ck_max_pool1d_backward(float *dx, const float *dy, const int32_t *argmax, int B, int L,
                           int C, int M);

// y (B,C) = max over t of x (B,L,C).
int ck_global_max_pool1d_forward(float *y, const float *x, int B, int L, int C);
// dx (B,L,C) += [x == y] / (number of maxima) · dy (B,C), with y (B,C) the forward's output.
int ck_global_max_pool1d_backward(float *dx, const float *dy, const float *x, const float *y,
                                  int B, int L, int C);

// y (B,C) = Σ_t m·x / Σ_t m over x (B,L,C), m = mask (B,L) != 0, or every step when
// mask is NULL. Sums in double, rounded once. A row with no real step gives NaN (0/0),
// as Keras does.
int ck_global_avg_pool1d_forward(float *y, const float *x, const float *mask, int B, int L,
                                 int C);
// dx (B,L,C) += m · dy (B,C) / Σ_t m (nothing for a row with no real step).
int ck_global_avg_pool1d_backward(float *dx, const float *dy, const float *mask, int B, int L,
                                  int C);

#ifdef __cplusplus
}
#endif

#endif  // CKERNELS_H
