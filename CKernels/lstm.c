// lstm.c — Keras LSTM: fused gate pass, whole-sequence forward and backward (BPTT).
// Dims: B = batch, T = time, D = input features, H = units; 4H = the packed gates
// i, f, c (candidate, called g below), o, in Keras's order.
//
// Layout: the kernel works time-major inside (DESIGN.md): in the (T,B,4H)
// pre-activation buffer P step t's slice is B contiguous rows of 4H floats at
// P + t·B·4H, filled from x (B,T,D) by one GEMM per step (inference) or, in training,
// by one GEMM over x copied to time-major rows in the cache. The per-step GEMM, the
// fused passes and everything they cache stream contiguous memory. In training P is the cache's gate block itself: the fused pass
// overwrites each pre-activation with its activation. The bias is in P from the
// start (the GEMM accumulates onto it), so the per-step pass has no optional
// operand and vectorises. The cache keeps each row's input beside the state the
// step started from, xh (T,B,D+H) = [x_t, h_{t-1}], so dW and dU are one GEMM
// xhᵀ·dZ. y, dy and dx stay batch-first, as the caller holds them: the passes and
// the per-step dx GEMMs reach step t's rows with a row stride of T·H or T·D.
#include "ckernels.h"
#include "rnn_internal.h"

#include <string.h>

// ---------------------------------------------------------------------------
// sizes

long ck_lstm_cache_size(int B, int T, int D, int H) {
  // gates (T,B,4H), xh (T,B,D+H), cprev (T,B,H), tanhc (T,B,H)
  return (long)B * T * (7L * H + D);
}

long ck_lstm_workspace_size(int B, int T, int D, int H) {
  // P or dZ (T,B,4H), hm (T,B,H) (backward under recurrent dropout), [dW; dU]
  // (D+H,4H), h and c states or carries, tmp, tanh(c) (B,H) each
  long BTH = (long)B * T * H;
  return 5 * BTH + (long)(D + H) * 4 * H + 4L * B * H;
}

// ---------------------------------------------------------------------------
// fused step passes

// The passes run per batch row as loops over contiguous blocks (the row helpers of
// rnn_internal.h plus one arithmetic loop), every pointer restrict and nothing
// optional inside a loop: NULL operands and the mask are decided once per row. So
// the loops vectorise in both clones, the SSE2 baseline included.

// c_t, tanh(c_t), h_t of one row from its activated gates.
static inline __attribute__((always_inline)) void row_state(
    const float *restrict i, const float *restrict f, const float *restrict g,
    const float *restrict o, float *restrict h, float *restrict c,
    float *restrict tc, int H) {
  for (int k = 0; k < H; k++) {
    // c_t = f·c_{t-1} + i·g
    float cn = f[k] * c[k] + i[k] * g[k];
    // h_t = o·tanh(c_t)
    float t = ck__tanh(cn);
    tc[k] = t;
    c[k] = cn;
    h[k] = o[k] * t;
  }
}

// A masked row keeps h and c; tanh(c_t) is still written so the cache is defined.
static inline __attribute__((always_inline)) void row_state_masked(
    const float *restrict i, const float *restrict f, const float *restrict g,
    const float *restrict c, float *restrict tc, int H) {
  for (int k = 0; k < H; k++) tc[k] = ck__tanh(f[k] * c[k] + i[k] * g[k]);
}

// One step over all rows: P_t (B,4H) holds x_t·W + b + h_{t-1}·U on entry and i, f,
// g, o on exit; hs, cs (B,H) go from h_{t-1}, c_{t-1} to h_t, c_t; tanhc_t (B,H)
// receives tanh(c_t). hprev_t (row stride ldhp), cprev_t (B,H) and y_t (row stride
// ldy) may be NULL; mask_t points at mask[0, t] (row stride T) or is NULL.
CK_VECTOR_CLONES
static void step_forward(float *hs, float *cs, float *Pt, float *hprev_t, long ldhp,
                         float *cprev_t, float *tanhc_t, float *y_t, long ldy,
                         const float *mask_t, int B, int T, int H) {
  for (int r = 0; r < B; r++) {
    float *p = Pt + 4L * r * H;
    float *h = hs + (long)r * H, *c = cs + (long)r * H, *tc = tanhc_t + (long)r * H;
    if (hprev_t) memcpy(hprev_t + r * ldhp, h, sizeof(float) * H);
    if (cprev_t) memcpy(cprev_t + (long)r * H, c, sizeof(float) * H);
    // i = sigmoid(x·Wi + h·Ui + bi), f = sigmoid(x·Wf + h·Uf + bf): one 2H block
    ck__row_sigmoid(p, 2 * H);
    // g = tanh(x·Wc + h·Uc + bc)
    ck__row_tanh(p + 2 * H, H);
    // o = sigmoid(x·Wo + h·Uo + bo)
    ck__row_sigmoid(p + 3 * H, H);
    if (!mask_t || mask_t[(long)r * T] != 0.0f)
      row_state(p, p + H, p + 2 * H, p + 3 * H, h, c, tc, H);
    else  // masked step: carry h and c over unchanged
      row_state_masked(p, p + H, p + 2 * H, c, tc, H);
    if (y_t) memcpy(y_t + r * ldy, h, sizeof(float) * H);
  }
}

// dZ of one unmasked row from dh (= dL/dh_t, in dh on entry, zero on exit) and the
// carry dc (dL/dc_t on entry, dL/dc_{t-1} on exit).
static inline __attribute__((always_inline)) void row_backward(
    float *restrict di_, float *restrict df_, float *restrict dg_,
    float *restrict do_, float *restrict dh, float *restrict dc,
    const float *restrict i, const float *restrict f, const float *restrict g,
    const float *restrict o, const float *restrict cp, const float *restrict tc,
    int H) {
  for (int k = 0; k < H; k++) {
    // h_t = o·tanh(c_t)
    float d_o = dh[k] * tc[k];
    float dck = dc[k] + dh[k] * o[k] * (1.0f - tc[k] * tc[k]);
    // c_t = f·c_{t-1} + i·g
    float di = dck * g[k], df = dck * cp[k], dg = dck * i[k];
    // i, f, o = sigmoid(·), g = tanh(·)
    di_[k] = di * i[k] * (1.0f - i[k]);
    df_[k] = df * f[k] * (1.0f - f[k]);
    dg_[k] = dg * (1.0f - g[k] * g[k]);
    do_[k] = d_o * o[k] * (1.0f - o[k]);
    dc[k] = dck * f[k];
    dh[k] = 0.0f;
  }
}

// The adjoint of one step: dhc, dcc (B,H) hold dL/dh_t, dL/dc_t from later steps on
// entry; the step adds dy_t (row stride ldy), writes dZ_t (B,4H) = dL/d(pre-
// activations) (zero at masked rows), leaves in dcc dL/dc_{t-1} and in dhc the part
// of dL/dh_{t-1} that does not go through U (all of dL/dh_t at masked rows). gates_t
// (B,4H), cprev_t and tanhc_t (B,H) are the step's cache. db (4H), if not NULL,
// gains the sum of the step's dZ rows while they are still in cache.
CK_VECTOR_CLONES
static void step_backward(float *dZt, float *dhc, float *dcc, float *db,
                          const float *dy_t, long ldy, const float *gates_t,
                          const float *cprev_t, const float *tanhc_t,
                          const float *mask_t, int B, int T, int H) {
  for (int r = 0; r < B; r++) {
    float *dz = dZt + 4L * r * H;
    const float *gt = gates_t + 4L * r * H;
    float *dhr = dhc + (long)r * H, *dcr = dcc + (long)r * H;
    // dL/dh_t = carry + dy_t
    if (dy_t) ck__row_add(dhr, dy_t + r * ldy, H);
    if (mask_t && mask_t[(long)r * T] == 0.0f) {
      // masked step: h, c were carried over, so are their gradients
      memset(dz, 0, sizeof(float) * 4 * H);
      continue;
    }
    row_backward(dz, dz + H, dz + 2 * H, dz + 3 * H, dhr, dcr, gt, gt + H, gt + 2 * H,
                 gt + 3 * H, cprev_t + (long)r * H, tanhc_t + (long)r * H, H);
    // P = … + b  →  db += dZ_t, row by row
    if (db) ck__row_add(db, dz, 4 * H);
  }
}

// ---------------------------------------------------------------------------
// whole sequence

int ck_lstm_forward(float *y, float *hT, float *cT,
                    const float *x, const float *h0, const float *c0,
                    const float *mask, const float *rdmask,
                    const float *W, const float *U, const float *b,
                    float *cache, float *workspace,
                    int B, int T, int D, int H) {
  // y is (B,T,H), hT (B,H), cT (B,H), x (B,T,D), h0 (B,H), c0 (B,H), mask (B,T),
  // rdmask (4,B,H), W (D,4H), U (H,4H), b (4H), cache ck_lstm_cache_size,
  // workspace ck_lstm_workspace_size.
  if (!x) return -4;
  if (!W) return -9;
  if (!U) return -10;
  if (!workspace) return -13;
  if (B <= 0) return -14;
  if (T <= 0) return -15;
  if (D <= 0) return -16;
  if (H <= 0) return -17;

  long BH = (long)B * H, BT = (long)B * T, BTH = BT * H, ldxh = (long)D + H;
  float *P = cache ? cache : workspace;  // (T,B,4H) pre-activations, then gates
  float *xh = cache ? cache + 4 * BTH : NULL;
  float *cprev = cache ? xh + BT * ldxh : NULL;
  float *tanhc = cache ? cprev + BTH : NULL;
  float *hs = workspace + 5 * BTH + ldxh * 4 * H;
  float *cs = hs + BH, *tmp = cs + BH, *tanhc_scratch = tmp + BH;

  if (xh) {
    // P (T·B,4H) = x · W + b: x to time-major rows in the cache, all steps at once
    ck__to_time_major(xh, ldxh, x, B, T, D);
    ck__rnn_input_gemm(P, xh, (int)ldxh, W, b, 4 * H, (int)BT, D, 4 * H);
  } else {
    // P_t (B,4H) = x_t · W + b, step t's rows straight from x (row stride T·D)
    for (int t = 0; t < T; t++)
      ck__rnn_input_gemm(P + 4 * (long)t * BH, x + (long)t * D, T * D, W, b, 4 * H, B, D,
                         4 * H);
  }
  if (h0) memcpy(hs, h0, sizeof(float) * BH);
  else memset(hs, 0, sizeof(float) * BH);
  if (c0) memcpy(cs, c0, sizeof(float) * BH);
  else memset(cs, 0, sizeof(float) * BH);

  for (int t = 0; t < T; t++) {
    float *Pt = P + 4 * (long)t * BH;
    long o = (long)t * BH;
    // P_t += h_{t-1} · U   (per gate (h_{t-1} ⊙ m_g) · U_g under recurrent dropout)
    ck__rnn_recurrent_gemm(Pt, 4 * H, 1.0f, hs, U, 4 * H, rdmask, tmp, 0, 4, B, H);
    step_forward(hs, cs, Pt, xh ? xh + t * B * ldxh + D : NULL, ldxh,
                 cprev ? cprev + o : NULL, tanhc ? tanhc + o : tanhc_scratch,
                 y ? y + (long)t * H : NULL, (long)T * H, mask ? mask + t : NULL, B, T, H);
  }
  if (hT) memcpy(hT, hs, sizeof(float) * BH);
  if (cT) memcpy(cT, cs, sizeof(float) * BH);
  return 0;
}

int ck_lstm_backward(float *dx, float *dh0, float *dc0,
                     float *dW, float *dU, float *db,
                     const float *dy, const float *dhT, const float *dcT,
                     const float *x, const float *mask, const float *rdmask,
                     const float *W, const float *U,
                     const float *cache, float *workspace,
                     int B, int T, int D, int H) {
  // dx is (B,T,D), dh0 (B,H), dc0 (B,H), dW (D,4H), dU (H,4H), db (4H),
  // dy (B,T,H), dhT (B,H), dcT (B,H), the rest as in the forward. x is read from
  // the cache's time-major copy.
  if (!x) return -10;
  if (!W) return -13;
  if (!U) return -14;
  if (!cache) return -15;
  if (!workspace) return -16;
  if (B <= 0) return -17;
  if (T <= 0) return -18;
  if (D <= 0) return -19;
  if (H <= 0) return -20;

  long BH = (long)B * H, BT = (long)B * T, BTH = BT * H, ldxh = (long)D + H;
  const float *gates = cache, *xh = cache + 4 * BTH;
  const float *cprev = xh + BT * ldxh, *tanhc = cprev + BTH;
  float *dZ = workspace;              // (T,B,4H)
  float *hm = workspace + 4 * BTH;    // (T,B,H), recurrent dropout only
  float *dWU = hm + BTH;              // (D+H,4H)
  float *dhc = dWU + ldxh * 4 * H;  // (B,H) dL/dh carried to the step before
  float *dcc = dhc + BH;            // (B,H) dL/dc carried to the step before
  float *tmp = dcc + BH;

  if (dhT) memcpy(dhc, dhT, sizeof(float) * BH);
  else memset(dhc, 0, sizeof(float) * BH);
  if (dcT) memcpy(dcc, dcT, sizeof(float) * BH);
  else memset(dcc, 0, sizeof(float) * BH);

  for (int t = T - 1; t >= 0; t--) {
    long o = (long)t * BH;
    float *dZt = dZ + 4 * o;
    step_backward(dZt, dhc, dcc, db, dy ? dy + (long)t * H : NULL, (long)T * H,
                  gates + 4 * o, cprev + o, tanhc + o, mask ? mask + t : NULL, B, T, H);
    // P_t += h_{t-1} · U   →   dh_{t-1} += dZ_t · Uᵀ
    ck__rnn_recurrent_gemm_backward(dhc, dZt, 4 * H, U, 4 * H, rdmask, tmp, 0, 4, B, H);
  }
  if (dh0) for (long i = 0; i < BH; i++) dh0[i] += dhc[i];
  if (dc0) for (long i = 0; i < BH; i++) dc0[i] += dcc[i];

  // P = x · W + h_{t-1} · U + b, summed over all B·T rows at once
  if (dW && dU && !rdmask) {
    // [dW; dU] = [x, h_{t-1}]ᵀ · dZ as one GEMM, then added to each
    ck_sgemm(1, 0, (int)ldxh, 4 * H, (int)BT, 1.0f, xh, (int)ldxh, dZ, 4 * H, 0.0f, dWU,
             4 * H);
    for (long i = 0; i < (long)D * 4 * H; i++) dW[i] += dWU[i];
    for (long i = 0; i < 4L * H * H; i++) dU[i] += dWU[(long)D * 4 * H + i];
  } else {
    if (dW)
      ck_sgemm(1, 0, D, 4 * H, (int)BT, 1.0f, xh, (int)ldxh, dZ, 4 * H, 1.0f, dW, 4 * H);
    if (dU)
      ck__rnn_recurrent_weight_grad(dU, 4 * H, xh + D, (int)ldxh, 1, dZ, 4 * H, rdmask,
                                    hm, 0, 4, B, T, H);
  }
  // dx_t += dZ_t · Wᵀ, step by step straight into batch-first dx (row stride T·D)
  if (dx)
    for (int t = 0; t < T; t++)
      ck_sgemm(0, 1, B, D, 4 * H, 1.0f, dZ + 4 * (long)t * BH, 4 * H, W, 4 * H, 1.0f,
               dx + (long)t * D, T * D);
  return 0;
}

// ---------------------------------------------------------------------------
// single step (the sequence kernel at T = 1)

int ck_lstm_cell_forward(float *h, float *c,
                         const float *x, const float *h_prev, const float *c_prev,
                         const float *rdmask,
                         const float *W, const float *U, const float *b,
                         float *cache, float *workspace, int B, int D, int H) {
  // h, c are (B,H), x (B,D), h_prev, c_prev (B,H), rdmask (4,B,H).
  if (!h) return -1;
  if (!c) return -2;
  if (!x) return -3;
  if (!W) return -7;
  if (!U) return -8;
  if (!workspace) return -11;
  if (B <= 0) return -12;
  if (D <= 0) return -13;
  if (H <= 0) return -14;
  return ck_lstm_forward(NULL, h, c, x, h_prev, c_prev, NULL, rdmask, W, U, b, cache,
                         workspace, B, 1, D, H);
}

int ck_lstm_cell_backward(float *dx, float *dh_prev, float *dc_prev,
                          float *dW, float *dU, float *db,
                          const float *dh, const float *dc,
                          const float *x, const float *rdmask,
                          const float *W, const float *U,
                          const float *cache, float *workspace, int B, int D, int H) {
  // dh, dc are (B,H): the gradients of the cell's new h (output and state) and c.
  if (!x) return -9;
  if (!W) return -11;
  if (!U) return -12;
  if (!cache) return -13;
  if (!workspace) return -14;
  if (B <= 0) return -15;
  if (D <= 0) return -16;
  if (H <= 0) return -17;
  return ck_lstm_backward(dx, dh_prev, dc_prev, dW, dU, db, NULL, dh, dc, x, NULL,
                          rdmask, W, U, cache, workspace, B, 1, D, H);
}
