// gru.c — Keras GRU, reset_after (Keras default, cuDNN) and reset_before
// (Cho et al. 2014): fused gate passes, whole-sequence forward and backward (BPTT).
// Dims: B = batch, T = time, D = input features, H = units; 3H = the packed gates
// z, r, h (candidate, called hh below), in Keras's order.
//
// Layout (see ckernels.h): batch-first; the (B,T,3H) buffer P = x (B·T,D) · W (D,3H)
// + b (the input bias bi when reset_after) comes from one GEMM onto the bias rows;
// step t's slice is B rows of 3H floats at P + t·3H with row stride T·3H. In
// training P is the cache's gate block itself: the fused passes overwrite each
// pre-activation with its activation.
//
// reset_after = 1: per step ONE GEMM hu (B,3H) = h_{t-1} · U into the workspace (the
//   candidate needs h·Uh apart from x·Wh, so it cannot be added into P), then one
//   fused pass. Backward keeps two gate-gradient blocks: dZx for the input side
//   (z, r, hh pre-activations) and dZh for the recurrent side (z, r, and
//   q = h·Uh + br_h), because they differ in the candidate's third.
// reset_after = 0: per step a GEMM adds h_{t-1} · U[:, z r] into P, a fused pass
//   makes z, r and r ⊙ h, a second GEMM adds (r ⊙ h) · Uh, a second pass finishes.
//
// The reset_after forward has a column path too (gru_uses_columns; as SimpleRNN's,
// see simple_rnn.c): W and U packed once per call as panels, a team of threads
// computing the input projection by rows, then each step's hu by panels and its
// pass by rows, with a barrier between. Everything else runs OpenBLAS.
#include "ckernels.h"
#include "rnn_internal.h"

#include <string.h>

// ---------------------------------------------------------------------------
// sizes

long ck_gru_cache_size(int B, int T, int D, int H) {
  (void)D;
  // gates (B,T,3H), hprev (B,T,H), rec (B,T,H)
  return 5L * B * T * H;
}

// W's and U's panels on the column path: W (D, 3H) and then U (H, 3H).
static long panels_size(int D, int H) {
  return (long)(D + H) * CK_PANEL_COLUMNS * ck__panel_count(3L * H);
}

long ck_gru_workspace_size(int B, int T, int D, int H) {
  // P or dZx (B,T,3H), dZh (B,T,3H), hm (B,T,H); state or carry (B,H),
  // hu (B,3H), tmp (B,H), rec or drh (B,H); then the panels, from a cache line
  return 7L * B * T * H + 6L * B * H + panels_size(D, H) + CK_LINE_FLOATS;
}

// The passes run per batch row as loops over contiguous blocks (the row helpers of
// rnn_internal.h plus plain arithmetic loops), every pointer restrict and nothing
// optional inside a loop: NULL operands, the mask and the recurrent dropout mask
// are decided once per row. So the loops vectorise in both clones, the SSE2
// baseline included. The input bias is in P from the input GEMM on.
#define ROW static inline __attribute__((always_inline))

// ---------------------------------------------------------------------------
// reset_after = 1: fused step passes

// y = a + b
ROW void row_sum(float *restrict y, const float *restrict a, const float *restrict b,
                 int n) {
  for (int k = 0; k < n; k++) y[k] = a[k] + b[k];
}

// hh and h_t of one row from z, r and q; hh overwrites the candidate's
// pre-activation ph in place. update = 0 (a masked row) leaves h alone.
ROW void after_row_state(const float *restrict z, const float *restrict rg,
                         float *restrict ph, const float *restrict q,
                         float *restrict h, int update, int H) {
  for (int k = 0; k < H; k++) {
    // hh = tanh(x·Wh + bi_h + r ⊙ q)
    float hh = ck__tanh(ph[k] + rg[k] * q[k]);
    ph[k] = hh;
    // h_t = z ⊙ h_{t-1} + (1 − z) ⊙ hh
    if (update) h[k] = z[k] * h[k] + (1.0f - z[k]) * hh;
  }
}

// P_t holds x_t·W + bi on entry and z, r, hh on exit; hu (B,3H) = h_{t-1}·U (no
// bias); hs (B,H) goes from h_{t-1} to h_t. br is the recurrent bias row (NULL: no
// bias). rec_t receives q = h·Uh + br_h (row stride ldq: T·H into the cache, H into
// scratch). hprev_t, y_t (row stride T·H) may be NULL; mask_t as in lstm.c.
CK_VECTOR_CLONES
static void after_step_forward(float *hs, float *Pt, const float *hu, float *hprev_t,
                               float *rec_t, long ldq, float *y_t, const float *mask_t,
                               const float *br, int B, int T, int H) {
  long ld = (long)T * H, ldp = 3L * T * H;
  for (int r = 0; r < B; r++) {
    if (r + CK_PREFETCH_ROWS < B) {
      long n = r + CK_PREFETCH_ROWS;
      ck__prefetch_row(Pt + n * ldp, 3 * H, 1);
      ck__prefetch_row(rec_t + n * ldq, H, 1);
      if (hprev_t) ck__prefetch_row(hprev_t + n * ld, H, 1);
      if (y_t) ck__prefetch_row(y_t + n * ld, H, 1);
    }
    float *p = Pt + r * ldp;
    const float *u = hu + 3L * r * H;
    float *h = hs + (long)r * H, *q = rec_t + r * ldq;
    if (hprev_t) memcpy(hprev_t + r * ld, h, sizeof(float) * H);
    // z = sigmoid(x·Wz + bi_z + h·Uz + br_z), r = sigmoid(x·Wr + bi_r + h·Ur + br_r),
    // summed in that order over the contiguous z, r block
    ck__row_add(p, u, 2 * H);
    if (br) ck__row_add(p, br, 2 * H);
    ck__row_sigmoid(p, 2 * H);
    // q = h·Uh + br_h
    if (br) row_sum(q, u + 2 * H, br + 2 * H, H);
    else memcpy(q, u + 2 * H, sizeof(float) * H);
    if (!mask_t || mask_t[(long)r * T] != 0.0f)
      after_row_state(p, p + H, p + 2 * H, q, h, 1, H);
    else  // masked step: carry h over unchanged
      after_row_state(p, p + H, p + 2 * H, q, h, 0, H);
    if (y_t) memcpy(y_t + r * ld, h, sizeof(float) * H);
  }
}

// dZx, dZh of one unmasked row from dh (dL/dh_t on entry, the direct part of
// dL/dh_{t-1} on exit).
ROW void after_row_backward(float *restrict dxz, float *restrict dxr,
                            float *restrict dxh, float *restrict dhz,
                            float *restrict dhr_, float *restrict dhq,
                            float *restrict dh, const float *restrict z,
                            const float *restrict rg, const float *restrict hh,
                            const float *restrict hp, const float *restrict q,
                            int H) {
  for (int k = 0; k < H; k++) {
    // h_t = z ⊙ h_{t-1} + (1 − z) ⊙ hh
    float dz = dh[k] * (hp[k] - hh[k]), dhh = dh[k] * (1.0f - z[k]);
    // hh = tanh(x·Wh + bi_h + r ⊙ q)
    float dah = dhh * (1.0f - hh[k] * hh[k]);
    float dr = dah * q[k], dq = dah * rg[k];
    // z, r = sigmoid(·)
    float daz = dz * z[k] * (1.0f - z[k]), dar = dr * rg[k] * (1.0f - rg[k]);
    dxz[k] = daz;
    dhz[k] = daz;
    dxr[k] = dar;
    dhr_[k] = dar;
    dxh[k] = dah;
    dhq[k] = dq;
    dh[k] = dh[k] * z[k];
  }
}

// The adjoint: dhc (B,H) holds dL/dh_t from later steps on entry; writes dZx_t,
// dZh_t (row stride T·3H, zero at masked rows) and leaves in dhc the part of
// dL/dh_{t-1} that does not go through U.
CK_VECTOR_CLONES
static void after_step_backward(float *dZx_t, float *dZh_t, float *dhc,
                                const float *dy_t, const float *gates_t,
                                const float *hprev_t, const float *rec_t,
                                const float *mask_t, int B, int T, int H) {
  long ld = (long)T * H, ldp = 3L * T * H;
  for (int r = 0; r < B; r++) {
    if (r + CK_PREFETCH_ROWS < B) {
      long n = r + CK_PREFETCH_ROWS;
      ck__prefetch_row(gates_t + n * ldp, 3 * H, 0);
      ck__prefetch_row(dZx_t + n * ldp, 3 * H, 1);
      ck__prefetch_row(dZh_t + n * ldp, 3 * H, 1);
      ck__prefetch_row(hprev_t + n * ld, H, 0);
      ck__prefetch_row(rec_t + n * ld, H, 0);
      if (dy_t) ck__prefetch_row(dy_t + n * ld, H, 0);
    }
    float *dzx = dZx_t + r * ldp, *dzh = dZh_t + r * ldp;
    const float *gt = gates_t + r * ldp;
    float *dhr = dhc + (long)r * H;
    // dL/dh_t = carry + dy_t
    if (dy_t) ck__row_add(dhr, dy_t + r * ld, H);
    if (mask_t && mask_t[(long)r * T] == 0.0f) {
      // masked step: h was carried over, so is its gradient
      memset(dzx, 0, sizeof(float) * 3 * H);
      memset(dzh, 0, sizeof(float) * 3 * H);
      continue;
    }
    after_row_backward(dzx, dzx + H, dzx + 2 * H, dzh, dzh + H, dzh + 2 * H, dhr, gt,
                       gt + H, gt + 2 * H, hprev_t + r * ld, rec_t + r * ld, H);
  }
}

// ---------------------------------------------------------------------------
// reset_after = 0: fused step passes

// y = a ⊙ b, y = a ⊙ b ⊙ m
ROW void row_mul(float *restrict y, const float *restrict a, const float *restrict b,
                 int n) {
  for (int k = 0; k < n; k++) y[k] = a[k] * b[k];
}

ROW void row_mul3(float *restrict y, const float *restrict a, const float *restrict b,
                  const float *restrict m, int n) {
  for (int k = 0; k < n; k++) y[k] = a[k] * b[k] * m[k];
}

// First pass: P_t[z, r] holds x·W + b + h_{t-1}·U on entry and z, r on exit;
// writes rh = r ⊙ (h_{t-1} ⊙ m_h) (row stride ldrh). mh (B,H) is the candidate's
// recurrent dropout mask or NULL.
CK_VECTOR_CLONES
static void before_step_forward_zr(float *Pt, float *rh, long ldrh, const float *hs,
                                   const float *mh, int B, int T, int H) {
  long ldp = 3L * T * H;
  for (int r = 0; r < B; r++) {
    float *p = Pt + r * ldp;
    const float *h = hs + (long)r * H;
    // z = sigmoid(x·Wz + b_z + h·Uz), r = sigmoid(x·Wr + b_r + h·Ur)
    ck__row_sigmoid(p, 2 * H);
    // rh = r ⊙ h   (h ⊙ m_h under recurrent dropout)
    if (mh) row_mul3(rh + r * ldrh, p + H, h, mh + (long)r * H, H);
    else row_mul(rh + r * ldrh, p + H, h, H);
  }
}

// h_t = z ⊙ h_{t-1} + (1 − z) ⊙ hh
ROW void before_row_state(const float *restrict z, const float *restrict hh,
                          float *restrict h, int H) {
  for (int k = 0; k < H; k++) h[k] = z[k] * h[k] + (1.0f - z[k]) * hh[k];
}

// Second pass: P_t[hh] holds x·Wh + b_h + (r ⊙ h)·Uh on entry and hh on exit; hs
// goes from h_{t-1} to h_t.
CK_VECTOR_CLONES
static void before_step_forward_h(float *hs, float *Pt, float *hprev_t, float *y_t,
                                  const float *mask_t, int B, int T, int H) {
  long ld = (long)T * H, ldp = 3L * T * H;
  for (int r = 0; r < B; r++) {
    float *p = Pt + r * ldp;
    float *h = hs + (long)r * H;
    if (hprev_t) memcpy(hprev_t + r * ld, h, sizeof(float) * H);
    // hh = tanh(x·Wh + b_h + (r ⊙ h)·Uh)
    ck__row_tanh(p + 2 * H, H);
    // masked step: carry h over unchanged
    if (!mask_t || mask_t[(long)r * T] != 0.0f) before_row_state(p, p + 2 * H, h, H);
    if (y_t) memcpy(y_t + r * ld, h, sizeof(float) * H);
  }
}

// The z and hh gradients of one unmasked row; dh as in after_row_backward.
ROW void before_row_backward_h(float *restrict dz_, float *restrict dh_h,
                               float *restrict dh, const float *restrict z,
                               const float *restrict hh, const float *restrict hp,
                               int H) {
  for (int k = 0; k < H; k++) {
    // h_t = z ⊙ h_{t-1} + (1 − z) ⊙ hh
    float dzg = dh[k] * (hp[k] - hh[k]), dhh = dh[k] * (1.0f - z[k]);
    // hh = tanh(x·Wh + b_h + (r ⊙ h)·Uh);  z = sigmoid(·)
    dz_[k] = dzg * z[k] * (1.0f - z[k]);
    dh_h[k] = dhh * (1.0f - hh[k] * hh[k]);
    dh[k] = dh[k] * z[k];
  }
}

// First adjoint pass: from dL/dh_t (carry + dy_t) the z and hh pre-activation
// gradients into dZ_t; dhc keeps the direct part z ⊙ dh (all of dh when masked).
CK_VECTOR_CLONES
static void before_step_backward_h(float *dZt, float *dhc, const float *dy_t,
                                   const float *gates_t, const float *hprev_t,
                                   const float *mask_t, int B, int T, int H) {
  long ld = (long)T * H, ldp = 3L * T * H;
  for (int r = 0; r < B; r++) {
    float *dz = dZt + r * ldp;
    const float *gt = gates_t + r * ldp;
    float *dhr = dhc + (long)r * H;
    if (dy_t) ck__row_add(dhr, dy_t + r * ld, H);
    if (mask_t && mask_t[(long)r * T] == 0.0f) {
      memset(dz, 0, sizeof(float) * 3 * H);  // r's third too: see the second pass
      continue;
    }
    before_row_backward_h(dz, dz + 2 * H, dhr, gt, gt + 2 * H, hprev_t + r * ld, H);
  }
}

// The r gradient of one unmasked row and its h_{t-1} part through r ⊙ h, without
// (m = NULL) or with the candidate's recurrent dropout mask.
ROW void before_row_backward_r(float *restrict dz_r, float *restrict dh,
                               const float *restrict d, const float *restrict rg,
                               const float *restrict hp, int H) {
  for (int k = 0; k < H; k++) {
    // rh = r ⊙ h_{t-1};  r = sigmoid(·)
    dz_r[k] = d[k] * hp[k] * rg[k] * (1.0f - rg[k]);
    dh[k] += d[k] * rg[k];
  }
}

ROW void before_row_backward_r_masked(float *restrict dz_r, float *restrict dh,
                                      const float *restrict d, const float *restrict rg,
                                      const float *restrict hp, const float *restrict m,
                                      int H) {
  for (int k = 0; k < H; k++) {
    // rh = r ⊙ (h_{t-1} ⊙ m_h);  r = sigmoid(·)
    dz_r[k] = d[k] * hp[k] * m[k] * rg[k] * (1.0f - rg[k]);
    dh[k] += d[k] * rg[k] * m[k];
  }
}

// Second adjoint pass: drh (B,H) = dL/d(r ⊙ h) = dZ_t[hh] · Uhᵀ gives the r
// pre-activation gradient and the h_{t-1} part through r ⊙ h.
CK_VECTOR_CLONES
static void before_step_backward_r(float *dZt, float *dhc, const float *drh,
                                   const float *gates_t, const float *hprev_t,
                                   const float *mh, const float *mask_t, int B, int T,
                                   int H) {
  long ld = (long)T * H, ldp = 3L * T * H;
  for (int r = 0; r < B; r++) {
    if (mask_t && mask_t[(long)r * T] == 0.0f) continue;  // zeroed by the first pass
    float *dz = dZt + r * ldp;
    const float *gt = gates_t + r * ldp, *hp = hprev_t + r * ld;
    const float *d = drh + (long)r * H;
    float *dhr = dhc + (long)r * H;
    if (mh)
      before_row_backward_r_masked(dz + H, dhr, d, gt + H, hp, mh + (long)r * H, H);
    else
      before_row_backward_r(dz + H, dhr, d, gt + H, hp, H);
  }
}

// ---------------------------------------------------------------------------
// whole sequence

// Whether this call's forward runs the column path: the calling thread's choice
// (ck__rnn_use_microkernel), reset_after, no recurrent dropout, and U (3H columns)
// wider than one panel, so that every thread of the team has columns (or the column
// split forced).
static int gru_uses_columns(int H, int reset_after, const float *rdmask) {
  return ck__rnn_use_microkernel() && reset_after && !rdmask &&
         (ck__rnn_force_columns() || 3 * H > CK_PANEL_COLUMNS);
}

// What the column team reads and writes, as the portable loop's: P (B,T,3H), hs
// (B,H), hu (B,3H), rec (B,T,H) or rec_step (B,H), hprev and y may be NULL; Wp and Up
// the panels, br the recurrent bias row.
typedef struct {
  float *y, *hs, *P, *hu, *hprev, *rec, *rec_step;
  const float *x, *mask, *bi, *br, *Wp, *Up;
  int B, T, D, H;
} forward_team;

// Member i of n: its share of the B·T rows of P = x · W + bi, then at every step
// its panels of hu = h_{t-1} · U (every row) and its rows' pass.
static void forward_columns(void *arg, int i, int n, ck__barrier *barrier) {
  const forward_team *L = arg;
  const int B = L->B, T = L->T, D = L->D, H = L->H;
  const long ld = (long)T * H;
  const ck__team_share s = ck__team_share_of(i, n, B, T, (int)ck__panel_count(3L * H));
  const int r0 = s.r0;
  ck__rnn_input_panels(L->P + 3 * s.p0 * H, L->x + s.p0 * D, D, L->Wp, L->bi,
                       s.p1 - s.p0, D, 3 * H);
  ck__barrier_wait(barrier);
  for (int t = 0; t < T; t++) {
    long o = (long)t * H;
    ck__gemm_panels(0, B, 3 * H, H, L->hs, H, L->Up, s.s0, s.s1, L->hu, 3L * H);
    ck__barrier_wait(barrier);
    after_step_forward(L->hs + (long)r0 * H, L->P + 3 * o + 3 * r0 * ld,
                       L->hu + 3L * r0 * H, L->hprev ? L->hprev + o + r0 * ld : NULL,
                       L->rec ? L->rec + o + r0 * ld : L->rec_step + (long)r0 * H,
                       L->rec ? ld : H, L->y ? L->y + o + r0 * ld : NULL,
                       L->mask ? L->mask + (long)r0 * T + t : NULL, L->br, s.r1 - r0, T,
                       H);
    ck__barrier_wait(barrier);
  }
}

int ck_gru_forward(float *y, float *hT,
                   const float *x, const float *h0, const float *mask,
                   const float *rdmask,
                   const float *W, const float *U, const float *b, int reset_after,
                   float *cache, float *workspace,
                   int B, int T, int D, int H) {
  // y is (B,T,H), hT (B,H), x (B,T,D), h0 (B,H), mask (B,T), rdmask (3,B,H),
  // W (D,3H), U (H,3H), b (2,3H) if reset_after else (3H),
  // cache ck_gru_cache_size, workspace ck_gru_workspace_size.
  if (!x) return -3;
  if (!W) return -7;
  if (!U) return -8;
  if (reset_after != 0 && reset_after != 1) return -10;
  if (!workspace) return -12;
  if (B <= 0) return -13;
  if (T <= 0) return -14;
  if (D <= 0) return -15;
  if (H <= 0) return -16;

  long BH = (long)B * H, BTH = BH * T;
  float *P = cache ? cache : workspace;  // (B,T,3H) pre-activations, then gates
  float *hprev = cache ? cache + 3 * BTH : NULL;
  float *rec = cache ? cache + 4 * BTH : NULL;
  float *hs = workspace + 7 * BTH;       // (B,H) state
  float *hu = hs + BH;                   // (B,3H)
  float *tmp = hu + 3 * BH;              // (B,H)
  float *rec_step = tmp + BH;            // (B,H) r ⊙ h or q when there is no cache
  const float *mh = rdmask ? rdmask + 2 * BH : NULL;

  if (h0) memcpy(hs, h0, sizeof(float) * BH);
  else memset(hs, 0, sizeof(float) * BH);
  if (gru_uses_columns(H, reset_after, rdmask)) {
    float *Wp = ck__line_align(rec_step + BH);
    float *Up = Wp + (long)D * CK_PANEL_COLUMNS * ck__panel_count(3L * H);
    ck__pack_panels(Wp, W, 3 * H, 0, D, 3 * H);
    ck__pack_panels(Up, U, 3 * H, 0, H, 3 * H);
    forward_team L = {.y = y, .hs = hs, .P = P, .hu = hu, .hprev = hprev, .rec = rec,
                      .rec_step = rec_step, .x = x, .mask = mask, .bi = b,
                      .br = b ? b + 3 * H : NULL, .Wp = Wp, .Up = Up, .B = B, .T = T,
                      .D = D, .H = H};
    ck__run_column_team(B, ck__panel_count(3L * H), 2.0 * B * T * (D + H) * 3 * H,
                        forward_columns, &L);
    if (hT) memcpy(hT, hs, sizeof(float) * BH);
    return 0;
  }

  // P (B·T,3H) = x · W + b (reset_after: the input bias bi), all steps at once
  ck__rnn_input_gemm(P, x, D, W, b, 3 * H, B * T, D, 3 * H);

  for (int t = 0; t < T; t++) {
    float *Pt = P + 3L * t * H;
    long o = (long)t * H;
    if (reset_after) {
      // hu = h_{t-1} · U   (per gate (h_{t-1} ⊙ m_g) · U_g under recurrent dropout)
      ck__rnn_recurrent_gemm(hu, 3 * H, 0.0f, hs, U, 3 * H, rdmask, tmp, 0, 3, B, H);
      after_step_forward(hs, Pt, hu, hprev ? hprev + o : NULL,
                         rec ? rec + o : rec_step, rec ? (long)T * H : H,
                         y ? y + o : NULL, mask ? mask + t : NULL, b ? b + 3 * H : NULL,
                         B, T, H);
    } else {
      // P_t[z, r] += h_{t-1} · U[:, z r]
      ck__rnn_recurrent_gemm(Pt, 3 * T * H, 1.0f, hs, U, 3 * H, rdmask, tmp, 0, 2, B,
                             H);
      float *rh = rec ? rec + o : rec_step;
      long ldrh = rec ? (long)T * H : H;
      before_step_forward_zr(Pt, rh, ldrh, hs, mh, B, T, H);
      // P_t[hh] += (r ⊙ h_{t-1}) · Uh
      ck_sgemm(0, 0, B, H, H, 1.0f, rh, (int)ldrh, U + 2 * H, 3 * H, 1.0f, Pt + 2 * H,
               3 * T * H);
      before_step_forward_h(hs, Pt, hprev ? hprev + o : NULL, y ? y + o : NULL,
                            mask ? mask + t : NULL, B, T, H);
    }
  }
  if (hT) memcpy(hT, hs, sizeof(float) * BH);
  return 0;
}

int ck_gru_backward(float *dx, float *dh0, float *dW, float *dU, float *db,
                    const float *dy, const float *dhT,
                    const float *x, const float *mask, const float *rdmask,
                    const float *W, const float *U, int reset_after,
                    const float *cache, float *workspace,
                    int B, int T, int D, int H) {
  // dx is (B,T,D), dh0 (B,H), dW (D,3H), dU (H,3H), db (2,3H) or (3H),
  // dy (B,T,H), dhT (B,H), the rest as in the forward.
  if (!x) return -8;
  if (!W) return -11;
  if (!U) return -12;
  if (reset_after != 0 && reset_after != 1) return -13;
  if (!cache) return -14;
  if (!workspace) return -15;
  if (B <= 0) return -16;
  if (T <= 0) return -17;
  if (D <= 0) return -18;
  if (H <= 0) return -19;

  long BH = (long)B * H, BT = (long)B * T, BTH = BT * H;
  const float *gates = cache, *hprev = cache + 3 * BTH, *rec = cache + 4 * BTH;
  float *dZx = workspace;              // (B,T,3H) input-side gate gradients
  float *dZh = workspace + 3 * BTH;    // (B,T,3H) recurrent side (reset_after)
  float *hm = workspace + 6 * BTH;     // (B,T,H), recurrent dropout only
  float *dhc = workspace + 7 * BTH;    // (B,H) dL/dh carried to the step before
  float *tmp = dhc + BH;               // (B,H)
  float *drh = tmp + BH;               // (B,H)
  const float *mh = rdmask ? rdmask + 2 * BH : NULL;

  if (dhT) memcpy(dhc, dhT, sizeof(float) * BH);
  else memset(dhc, 0, sizeof(float) * BH);

  for (int t = T - 1; t >= 0; t--) {
    long o = (long)t * H;
    float *dZx_t = dZx + 3 * o, *dZh_t = dZh + 3 * o;
    const float *dy_t = dy ? dy + o : NULL, *mask_t = mask ? mask + t : NULL;
    if (reset_after) {
      after_step_backward(dZx_t, dZh_t, dhc, dy_t, gates + 3 * o, hprev + o, rec + o,
                          mask_t, B, T, H);
      // hu = h_{t-1} · U   →   dh_{t-1} += dZh_t · Uᵀ
      ck__rnn_recurrent_gemm_backward(dhc, dZh_t, 3 * T * H, U, 3 * H, rdmask, tmp, 0,
                                      3, B, H);
    } else {
      before_step_backward_h(dZx_t, dhc, dy_t, gates + 3 * o, hprev + o, mask_t, B, T,
                             H);
      // P_t[hh] += (r ⊙ h_{t-1}) · Uh   →   drh = dZ_t[hh] · Uhᵀ
      ck_sgemm(0, 1, B, H, H, 1.0f, dZx_t + 2 * H, 3 * T * H, U + 2 * H, 3 * H, 0.0f,
               drh, H);
      before_step_backward_r(dZx_t, dhc, drh, gates + 3 * o, hprev + o, mh, mask_t, B,
                             T, H);
      // P_t[z, r] += h_{t-1} · U[:, z r]   →   dh_{t-1} += dZ_t[z r] · U[:, z r]ᵀ
      ck__rnn_recurrent_gemm_backward(dhc, dZx_t, 3 * T * H, U, 3 * H, rdmask, tmp, 0,
                                      2, B, H);
    }
  }
  if (dh0) for (long i = 0; i < BH; i++) dh0[i] += dhc[i];

  // P = x · W (+ bi): input side, summed over all B·T rows at once
  if (dW) ck_sgemm(1, 0, D, 3 * H, (int)BT, 1.0f, x, D, dZx, 3 * H, 1.0f, dW, 3 * H);
  if (dx) ck_sgemm(0, 1, (int)BT, D, 3 * H, 1.0f, dZx, 3 * H, W, 3 * H, 1.0f, dx, D);
  if (db) ck__col_sum_acc(db, dZx, BT, 3 * H, 3 * H);
  if (reset_after) {
    // hu = h_{t-1} · U (+ br): recurrent side
    if (dU)
      ck__rnn_recurrent_weight_grad(dU, 3 * H, hprev, H, 0, dZh, 3 * H, rdmask, hm, 0, 3,
                                    B, T, H);
    if (db) ck__col_sum_acc(db + 3 * H, dZh, BT, 3 * H, 3 * H);
  } else if (dU) {
    // P[z, r] += h_{t-1} · U[:, z r]
    ck__rnn_recurrent_weight_grad(dU, 3 * H, hprev, H, 0, dZx, 3 * H, rdmask, hm, 0, 2, B,
                                  T, H);
    // P[hh] += (r ⊙ h_{t-1}) · Uh
    ck_sgemm(1, 0, H, H, (int)BT, 1.0f, rec, H, dZx + 2 * H, 3 * H, 1.0f, dU + 2 * H,
             3 * H);
  }
  return 0;
}

// ---------------------------------------------------------------------------
// single step (the sequence kernel at T = 1)

int ck_gru_cell_forward(float *h, const float *x, const float *h_prev,
                        const float *rdmask,
                        const float *W, const float *U, const float *b,
                        int reset_after, float *cache, float *workspace,
                        int B, int D, int H) {
  // h is (B,H), x (B,D), h_prev (B,H), rdmask (3,B,H), weights as the sequence.
  if (!h) return -1;
  if (!x) return -2;
  if (!W) return -5;
  if (!U) return -6;
  if (reset_after != 0 && reset_after != 1) return -8;
  if (!workspace) return -10;
  if (B <= 0) return -11;
  if (D <= 0) return -12;
  if (H <= 0) return -13;
  return ck_gru_forward(NULL, h, x, h_prev, NULL, rdmask, W, U, b, reset_after, cache,
                        workspace, B, 1, D, H);
}

int ck_gru_cell_backward(float *dx, float *dh_prev, float *dW, float *dU, float *db,
                         const float *dh, const float *x, const float *rdmask,
                         const float *W, const float *U, int reset_after,
                         const float *cache, float *workspace, int B, int D, int H) {
  // dh is (B,H): the gradient of the cell's output h (also its new state).
  if (!x) return -7;
  if (!W) return -9;
  if (!U) return -10;
  if (reset_after != 0 && reset_after != 1) return -11;
  if (!cache) return -12;
  if (!workspace) return -13;
  if (B <= 0) return -14;
  if (D <= 0) return -15;
  if (H <= 0) return -16;
  return ck_gru_backward(dx, dh_prev, dW, dU, db, NULL, dh, x, NULL, rdmask, W, U,
                         reset_after, cache, workspace, B, 1, D, H);
}
