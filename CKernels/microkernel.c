// microkernel.c — the small row-major products of the recurrent time loops.
// Dims: C (m,n) (+)= A (m,k) · B (k,n), every matrix row-major with its own row
// stride; m is a slice of the batch (one thread's rows), k and n are the cell's
// widths (1+D+H, 4H, D, H).
//
// On CPUs with AVX-512 a register-blocked kernel computes 6 rows × 64 columns of C
// per tile (24 zmm accumulators), B's rows streamed in 64-float strips, A's entries
// broadcast. It reads A and B in place (the time loops pass weights laid out once
// per call, as rows or, for large layers, as panels: ck__pack_panels), so nothing
// is packed per step, and it runs on the calling thread: the
// callers split the rows (or columns) of C across threads themselves, so no
// OpenBLAS thread pool spins beside them. Every element of C sums its k products
// in order 0..k−1 with FMAs, whatever the tile it falls in, so a result does not
// depend on how C is split. Elsewhere, or when `fast` is 0, the product is
// OpenBLAS's sgemm.
#include "ckernels.h"
#include "rnn_internal.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define CK_HAVE_AVX512_KERNEL 1
#define CK_AVX512 __attribute__((target("avx512f")))

enum { MK_ROWS = 6, MK_VECS = 4 };  // tile: 6 rows × 4 vectors of 16 floats

// One tile of mr ≤ 6 rows and nv ≤ 4 vectors; the last vector takes the columns
// in `last`. A's entry (r, p) is A[r·ars + p·aps]: (lda, 1) for A as stored, (1,
// lda) for Aᵀ. mr and nv are constants once inlined into tile_dispatch's cases, so
// the loops unroll and the accumulators live in registers.
static inline __attribute__((always_inline)) CK_AVX512 void tile(
    const int mr, const int nv, __mmask16 last, int accumulate, int k,
    const float *A, long ars, long aps, const float *B, long ldb, float *C, long ldc) {
  __m512 acc[MK_ROWS][MK_VECS];
#pragma clang loop unroll(full)
  for (int r = 0; r < mr; r++)
#pragma clang loop unroll(full)
    for (int v = 0; v < nv; v++)
      acc[r][v] = accumulate ? _mm512_maskz_loadu_ps(v == nv - 1 ? last : 0xffff,
                                                     C + r * ldc + 16 * v)
                             : _mm512_setzero_ps();
  for (int p = 0; p < k; p++) {
    __m512 b[MK_VECS];
#pragma clang loop unroll(full)
    for (int v = 0; v < nv; v++)
      b[v] = _mm512_maskz_loadu_ps(v == nv - 1 ? last : 0xffff, B + p * ldb + 16 * v);
#pragma clang loop unroll(full)
    for (int r = 0; r < mr; r++) {
      __m512 a = _mm512_set1_ps(A[r * ars + p * aps]);
#pragma clang loop unroll(full)
      for (int v = 0; v < nv; v++) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
    }
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < mr; r++)
#pragma clang loop unroll(full)
    for (int v = 0; v < nv; v++)
      _mm512_mask_storeu_ps(C + r * ldc + 16 * v, v == nv - 1 ? last : 0xffff,
                            acc[r][v]);
}

#define TILE_VECS(mr)                                                        \
  switch (nv) {                                                              \
    case 4: tile(mr, 4, last, accumulate, k, A, ars, aps, B, ldb, C, ldc); break; \
    case 3: tile(mr, 3, last, accumulate, k, A, ars, aps, B, ldb, C, ldc); break; \
    case 2: tile(mr, 2, last, accumulate, k, A, ars, aps, B, ldb, C, ldc); break; \
    default: tile(mr, 1, last, accumulate, k, A, ars, aps, B, ldb, C, ldc);  \
  }

static CK_AVX512 void tile_dispatch(int mr, int nv, __mmask16 last, int accumulate,
                                    int k, const float *A, long ars, long aps,
                                    const float *B, long ldb, float *C, long ldc) {
  switch (mr) {
    case 6: TILE_VECS(6) break;
    case 5: TILE_VECS(5) break;
    case 4: TILE_VECS(4) break;
    case 3: TILE_VECS(3) break;
    case 2: TILE_VECS(2) break;
    default: TILE_VECS(1)
  }
}

// C (m,n) = [C +] op(A) (m,k) · B (k,n), op(A) = A (m,k) or, with trans_a, Aᵀ of
// A (k,m). k is taken in blocks of KC rows of B, so a block of B and of A stays in
// cache while every tile of C passes over it.
static CK_AVX512 void gemm_avx512(int trans_a, int accumulate, int m, int n, int k,
                                  const float *A, long lda, const float *B, long ldb,
                                  float *C, long ldc) {
  enum { KC = 128 };
  const int strip = 16 * MK_VECS;
  long ars = trans_a ? 1 : lda, aps = trans_a ? lda : 1;
  if (k <= 0) {  // an empty sum
    if (!accumulate)
      for (int i = 0; i < m; i++) memset(C + i * ldc, 0, sizeof(float) * n);
    return;
  }
  for (int p0 = 0; p0 < k; p0 += KC) {
    int kc = k - p0 < KC ? k - p0 : KC;
    int acc = accumulate || p0 > 0;
    for (int j0 = 0; j0 < n; j0 += strip) {
      int nc = n - j0 < strip ? n - j0 : strip;
      int nv = (nc + 15) / 16;
      __mmask16 last = (__mmask16)((1u << (nc - 16 * (nv - 1))) - 1u);
      for (int i0 = 0; i0 < m; i0 += MK_ROWS) {
        int mr = m - i0 < MK_ROWS ? m - i0 : MK_ROWS;
        tile_dispatch(mr, nv, last, acc, kc, A + i0 * ars + p0 * aps, ars, aps,
                      B + p0 * ldb + j0, ldb, C + i0 * ldc + j0, ldc);
      }
    }
  }
}
#endif

int ck__microkernel_available(void) {
#ifdef CK_HAVE_AVX512_KERNEL
  static int supported = -1;  // a benign race: every thread stores the same value
  if (supported < 0) supported = __builtin_cpu_supports("avx512f") ? 1 : 0;
  return supported;
#else
  return 0;
#endif
}

void ck__gemm(int fast, int trans_a, int accumulate, int m, int n, int k,
              const float *A, long lda, const float *B, long ldb, float *C, long ldc) {
  if (m <= 0 || n <= 0) return;
#ifdef CK_HAVE_AVX512_KERNEL
  if (fast) {
    gemm_avx512(trans_a, accumulate, m, n, k, A, lda, B, ldb, C, ldc);
    return;
  }
#endif
  ck_sgemm(trans_a, 0, m, n, k, 1.0f, A, (int)lda, B, (int)ldb, accumulate ? 1.0f : 0.0f,
           C, (int)ldc);
}

void ck__pack_panels(float *dst, const float *src, long lds, int transposed, int rows,
                     int cols) {
  const int w = CK_PANEL_COLUMNS;
  for (int j0 = 0; j0 < cols; j0 += w) {
    float *panel = dst + (long)j0 * rows;
    int width = cols - j0 < w ? cols - j0 : w;
    for (int r = 0; r < rows; r++)
      for (int q = 0; q < width; q++)
        panel[(long)r * w + q] =
            transposed ? src[(long)(j0 + q) * lds + r] : src[(long)r * lds + j0 + q];
  }
}

void ck__gemm_panels(int accumulate, int m, int n, int k, const float *A, long lda,
                     const float *Bp, int s0, int s1, float *C, long ldc) {
  const int w = CK_PANEL_COLUMNS;
  for (int s = s0; s < s1; s++) {
    int j0 = s * w, width = n - j0 < w ? n - j0 : w;
    if (width <= 0) return;
    ck__gemm(1, 0, accumulate, m, width, k, A, lda, Bp + (long)j0 * k, w, C + j0, ldc);
  }
}

void ck__transpose(float *dst, long ldd, const float *src, long lds, int rows,
                   int cols) {
  // 32×32 blocks, so both sides touch whole cache lines.
  for (int i0 = 0; i0 < rows; i0 += 32)
    for (int j0 = 0; j0 < cols; j0 += 32) {
      int i1 = i0 + 32 < rows ? i0 + 32 : rows, j1 = j0 + 32 < cols ? j0 + 32 : cols;
      for (int i = i0; i < i1; i++)
        for (int j = j0; j < j1; j++) dst[j * ldd + i] = src[i * lds + j];
    }
}
