// rnn_common.c — GEMM helpers shared by the recurrent cells (see rnn_internal.h).
// Dims: B = batch, T = time, D = input features, H = units, G = gates per cell.
#include "ckernels.h"
#include "rnn_internal.h"

// ---------------------------------------------------------------------------
// projections

void ck__rnn_input_gemm(float *P, const float *x, int ldx, const float *W,
                        const float *b, int ldw, int BT, int D, int N) {
  if (!b) {
    // P (BT,N) = x (BT,D) · W (D,N)
    ck_sgemm(0, 0, BT, N, D, 1.0f, x, ldx, W, ldw, 0.0f, P, N);
    return;
  }
  // P (BT,N) = b + x (BT,D) · W (D,N)
  for (long r = 0; r < BT; r++) memcpy(P + r * N, b, sizeof(float) * N);
  ck_sgemm(0, 0, BT, N, D, 1.0f, x, ldx, W, ldw, 1.0f, P, N);
}

void ck__rnn_input_panels(float *P, const float *x, long ldx, const float *Wp,
                          const float *b, long rows, int D, int N) {
  for (long r = 0; r < rows; r++) {
    if (b) memcpy(P + r * N, b, sizeof(float) * N);
    else memset(P + r * N, 0, sizeof(float) * N);
  }
  // in chunks of rows that stay in cache while every panel of W passes over them
  enum { CHUNK = 96 };
  int panels = (int)ck__panel_count(N);
  for (long c0 = 0; c0 < rows; c0 += CHUNK) {
    int m = (int)(rows - c0 < CHUNK ? rows - c0 : CHUNK);
    ck__gemm_panels(1, m, N, D, x + c0 * ldx, ldx, Wp, 0, panels, P + c0 * N, N);
  }
}

// ---------------------------------------------------------------------------
// masked recurrent products

// Fills hm (rows, H) = h (rows, H, row stride ldh) ⊙ m (B,H) where row r uses mask
// row (r / per_b) mod B: per_b = T for batch-first rows (T consecutive rows share a
// batch entry), 1 for time-major rows (the batch entry cycles).
static void masked_copy(float *hm, const float *h, long ldh, const float *m,
                        long rows, long per_b, int B, int H) {
  for (long r = 0; r < rows; r++) {
    const float *hr = h + r * ldh;
    const float *mr = m + ((r / per_b) % B) * H;
    float *out = hm + r * H;
    for (int k = 0; k < H; k++) out[k] = hr[k] * mr[k];
  }
}

void ck__rnn_recurrent_gemm(float *C, int ldc, float beta, const float *h,
                            const float *U, int ldu, const float *rdmask, float *tmp,
                            int g0, int g1, int B, int H) {
  if (!rdmask) {
    // C (B, nH) (+)= h (B,H) · U[:, g0·H..g1·H] (H, nH)
    ck_sgemm(0, 0, B, (g1 - g0) * H, H, 1.0f, h, H, U + (long)g0 * H, ldu, beta, C,
             ldc);
    return;
  }
  for (int g = g0; g < g1; g++) {
    // C_g (B,H) (+)= (h ⊙ m_g) · U_g
    masked_copy(tmp, h, H, rdmask + (long)g * B * H, B, 1, B, H);
    ck_sgemm(0, 0, B, H, H, 1.0f, tmp, H, U + (long)g * H, ldu, beta,
             C + (long)(g - g0) * H, ldc);
  }
}

// ---------------------------------------------------------------------------
// adjoints

void ck__rnn_recurrent_gemm_backward(float *dh, const float *dZ, int lddz,
                                     const float *U, int ldu, const float *rdmask,
                                     float *tmp, int g0, int g1, int B, int H) {
  if (!rdmask) {
    // dh (B,H) += dZ (B, nH) · U[:, g0·H..g1·H]ᵀ (nH, H)
    ck_sgemm(0, 1, B, H, (g1 - g0) * H, 1.0f, dZ, lddz, U + (long)g0 * H, ldu, 1.0f,
             dh, H);
    return;
  }
  for (int g = g0; g < g1; g++) {
    // dh += (dZ_g · U_gᵀ) ⊙ m_g
    ck_sgemm(0, 1, B, H, H, 1.0f, dZ + (long)(g - g0) * H, lddz, U + (long)g * H, ldu,
             0.0f, tmp, H);
    const float *m = rdmask + (long)g * B * H;
    for (long i = 0; i < (long)B * H; i++) dh[i] += tmp[i] * m[i];
  }
}

void ck__rnn_recurrent_weight_grad(float *dU, int lddu, const float *hprev, int ldh,
                                   int time_major, const float *dZ, int lddz,
                                   const float *rdmask, float *hm, int g0, int g1, int B,
                                   int T, int H) {
  int BT = B * T;
  if (!rdmask) {
    // dU[:, g0·H..g1·H] (H, nH) += hprevᵀ (H, BT) · dZ (BT, nH)
    ck_sgemm(1, 0, H, (g1 - g0) * H, BT, 1.0f, hprev, ldh, dZ, lddz, 1.0f,
             dU + (long)g0 * H, lddu);
    return;
  }
  for (int g = g0; g < g1; g++) {
    // dU_g += (hprev ⊙ m_g)ᵀ · dZ_g
    masked_copy(hm, hprev, ldh, rdmask + (long)g * B * H, BT, time_major ? 1 : T, B, H);
    ck_sgemm(1, 0, H, H, BT, 1.0f, hm, H, dZ + (long)(g - g0) * H, lddz, 1.0f,
             dU + (long)g * H, lddu);
  }
}

void ck__add_row_bias(float *P, const float *b, long rows, int N) {
  for (long r = 0; r < rows; r++) {
    float *row = P + r * N;
    for (int j = 0; j < N; j++) row[j] += b[j];
  }
}

void ck__col_sum_acc(float *db, const float *dZ, long rows, int N, long ld) {
  // Rows outer so the inner loop runs over contiguous memory; sequential, so the
  // result is the same run after run.
  for (long r = 0; r < rows; r++) {
    const float *row = dZ + r * ld;
    for (int j = 0; j < N; j++) db[j] += row[j];
  }
}
