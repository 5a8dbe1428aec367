// simple_rnn.c — Keras SimpleRNN: fused step, whole-sequence forward and backward.
// Dims: B = batch, T = time, D = input features, H = units.
//
// Layout (see ckernels.h): batch-first; the (B,T,H) pre-activation buffer P comes
// from one GEMM x (B·T,D) · W (D,H) onto the bias rows; step t's slice is B rows of H
// floats at P + t·H with row stride T·H.
//
// The forward has two paths. The portable one runs OpenBLAS per step on the calling
// thread. The column path (simple_rnn_uses_columns: the micro-kernel, H over one
// panel, no recurrent dropout) packs W and U once per call into 64-column panels
// (rnn_internal.h), and a team of threads computes the input projection by rows,
// then splits each step's h_{t-1} · U by panels and its pass by rows, with a
// barrier between. Backward runs OpenBLAS.
#include "ckernels.h"
#include "rnn_internal.h"

#include <string.h>

// ---------------------------------------------------------------------------
// sizes

long ck_simple_rnn_cache_size(int B, int T, int D, int H) {
  (void)D;
  return 2L * B * T * H;  // a (B,T,H), hprev (B,T,H)
}

// W's and U's panels on the column path: W (D, H) and then U (H, H).
static long panels_size(int D, int H) {
  return (long)(D + H) * CK_PANEL_COLUMNS * ck__panel_count(H);
}

long ck_simple_rnn_workspace_size(int B, int T, int D, int H) {
  // P or dZ (B,T,H), hm (B,T,H), state or dh carry (B,H), tmp (B,H), then the
  // panels, from a cache line
  return 2L * B * T * H + 2L * B * H + panels_size(D, H) + CK_LINE_FLOATS;
}

// ---------------------------------------------------------------------------
// fused step passes

// The passes run per batch row as loops over the row's contiguous H floats, every
// pointer restrict and nothing optional inside a loop: NULL operands, the
// activation and the mask are decided once per row, so the loops vectorise in both
// clones, the SSE2 baseline included. The bias is in P from the input GEMM on
// (Keras's order: x·W + b, then + h·U).

// One step over all rows: P_t holds x_t·W + b + h_{t-1}·U on entry and the
// activation a on exit; hs (B,H) goes from h_{t-1} to h_t. hprev_t, y_t (row stride
// T·H) may be NULL; mask_t points at mask[0, t] (row stride T) or is NULL.
CK_VECTOR_CLONES
static void step_forward(float *hs, float *Pt, float *hprev_t, float *y_t,
                         const float *mask_t, ck_rnn_activation activation, int B,
                         int T, int H) {
  long ld = (long)T * H;
  for (int r = 0; r < B; r++) {
    if (r + CK_PREFETCH_ROWS < B) {
      long n = r + CK_PREFETCH_ROWS;
      ck__prefetch_row(Pt + n * ld, H, 1);
      if (hprev_t) ck__prefetch_row(hprev_t + n * ld, H, 1);
      if (y_t) ck__prefetch_row(y_t + n * ld, H, 1);
    }
    float *p = Pt + r * ld;
    float *h = hs + (long)r * H;
    if (hprev_t) memcpy(hprev_t + r * ld, h, sizeof(float) * H);
    // h_t = act(x_t·W + b + h_{t-1}·U)
    if (activation == CK_RNN_RELU) ck__row_relu(p, H);
    else ck__row_tanh(p, H);
    // masked step: carry h over unchanged
    if (!mask_t || mask_t[(long)r * T] != 0.0f) memcpy(h, p, sizeof(float) * H);
    if (y_t) memcpy(y_t + r * ld, h, sizeof(float) * H);
  }
}

// dz = dh · act'(a) of one unmasked row; dh is zero on exit.
static inline __attribute__((always_inline)) void row_backward_tanh(
    float *restrict dz, float *restrict dh, const float *restrict a, int H) {
  for (int k = 0; k < H; k++) {
    // a = tanh(·)
    dz[k] = dh[k] * (1.0f - a[k] * a[k]);
    dh[k] = 0.0f;
  }
}

static inline __attribute__((always_inline)) void row_backward_relu(
    float *restrict dz, float *restrict dh, const float *restrict a, int H) {
  for (int k = 0; k < H; k++) {
    // a = max(·, 0): the gradient at 0 is 0, as in TensorFlow
    dz[k] = dh[k] * (a[k] > 0.0f ? 1.0f : 0.0f);
    dh[k] = 0.0f;
  }
}

// The adjoint of one step: dhc (B,H) holds the carry dL/dh_t from later steps on
// entry; the step adds dy_t, writes dZ_t = dL/d(pre-activation), and leaves in dhc
// the part of dL/dh_{t-1} that does not go through U (all of it at masked rows).
CK_VECTOR_CLONES
static void step_backward(float *dZt, float *dhc, const float *dy_t,
                          const float *a_t, const float *mask_t,
                          ck_rnn_activation activation, int B, int T, int H) {
  long ld = (long)T * H;
  for (int r = 0; r < B; r++) {
    if (r + CK_PREFETCH_ROWS < B) {
      long n = r + CK_PREFETCH_ROWS;
      ck__prefetch_row(dZt + n * ld, H, 1);
      ck__prefetch_row(a_t + n * ld, H, 0);
      if (dy_t) ck__prefetch_row(dy_t + n * ld, H, 0);
    }
    float *dz = dZt + r * ld;
    float *dhr = dhc + (long)r * H;
    // dL/dh_t = carry + dy_t
    if (dy_t) ck__row_add(dhr, dy_t + r * ld, H);
    if (mask_t && mask_t[(long)r * T] == 0.0f) {
      memset(dz, 0, sizeof(float) * H);  // h was carried over, so is its gradient
      continue;
    }
    // h_t = act(x_t·W + b + h_{t-1}·U)
    if (activation == CK_RNN_RELU) row_backward_relu(dz, dhr, a_t + r * ld, H);
    else row_backward_tanh(dz, dhr, a_t + r * ld, H);
  }
}

// ---------------------------------------------------------------------------
// whole sequence

// Whether this call's forward runs the column path: the calling thread's choice
// (ck__rnn_use_microkernel), no recurrent dropout, and U wider than one panel so
// that every thread of the team has columns (or the column split forced).
static int simple_rnn_uses_columns(int H, const float *rdmask) {
  return ck__rnn_use_microkernel() && !rdmask &&
         (ck__rnn_force_columns() || H > CK_PANEL_COLUMNS);
}

// What the column team reads and writes: P (B,T,H) and hs (B,H) as in the
// portable loop, hprev and y may be NULL, Wp and Up the panels.
typedef struct {
  float *y, *hs, *P, *hprev;
  const float *x, *mask, *b, *Wp, *Up;
  ck_rnn_activation activation;
  int B, T, D, H;
} forward_team;

// Member i of n: its share of the B·T rows of P = b + x · W, then at every step its
// panels of P_t += h_{t-1} · U (every row) and its rows' pass.
static void forward_columns(void *arg, int i, int n, ck__barrier *barrier) {
  const forward_team *L = arg;
  const int B = L->B, T = L->T, D = L->D, H = L->H;
  const long ld = (long)T * H;
  const ck__team_share s = ck__team_share_of(i, n, B, T, (int)ck__panel_count(H));
  const int r0 = s.r0;
  ck__rnn_input_panels(L->P + s.p0 * H, L->x + s.p0 * D, D, L->Wp, L->b, s.p1 - s.p0, D,
                       H);
  ck__barrier_wait(barrier);
  for (int t = 0; t < T; t++) {
    float *Pt = L->P + (long)t * H;
    ck__gemm_panels(1, B, H, H, L->hs, H, L->Up, s.s0, s.s1, Pt, ld);
    ck__barrier_wait(barrier);
    step_forward(L->hs + (long)r0 * H, Pt + r0 * ld,
                 L->hprev ? L->hprev + (long)t * H + r0 * ld : NULL,
                 L->y ? L->y + (long)t * H + r0 * ld : NULL,
                 L->mask ? L->mask + (long)r0 * T + t : NULL, L->activation, s.r1 - r0,
                 T, H);
    ck__barrier_wait(barrier);
  }
}

int ck_simple_rnn_forward(float *y, float *hT,
                          const float *x, const float *h0, const float *mask,
                          const float *rdmask,
                          const float *W, const float *U, const float *b,
                          ck_rnn_activation activation,
                          float *cache, float *workspace,
                          int B, int T, int D, int H) {
  // y is (B,T,H), hT (B,H), x (B,T,D), h0 (B,H), mask (B,T), rdmask (B,H),
  // W (D,H), U (H,H), b (H), cache ck_simple_rnn_cache_size, workspace likewise.
  if (!x) return -3;
  if (!W) return -7;
  if (!U) return -8;
  if (activation != CK_RNN_TANH && activation != CK_RNN_RELU) return -10;
  if (!workspace) return -12;
  if (B <= 0) return -13;
  if (T <= 0) return -14;
  if (D <= 0) return -15;
  if (H <= 0) return -16;

  long BTH = (long)B * T * H;
  float *P = cache ? cache : workspace;  // pre-activations, then activations a
  float *hprev = cache ? cache + BTH : NULL;
  float *hs = workspace + 2 * BTH;
  float *tmp = hs + (long)B * H;

  if (h0) memcpy(hs, h0, sizeof(float) * B * H);
  else memset(hs, 0, sizeof(float) * B * H);
  if (simple_rnn_uses_columns(H, rdmask)) {
    float *Wp = ck__line_align(tmp + (long)B * H);
    float *Up = Wp + (long)D * CK_PANEL_COLUMNS * ck__panel_count(H);
    ck__pack_panels(Wp, W, H, 0, D, H);
    ck__pack_panels(Up, U, H, 0, H, H);
    forward_team L = {.y = y, .hs = hs, .P = P, .hprev = hprev, .x = x, .mask = mask,
                      .b = b, .Wp = Wp, .Up = Up, .activation = activation, .B = B,
                      .T = T, .D = D, .H = H};
    ck__run_column_team(B, ck__panel_count(H), 2.0 * B * T * (D + H) * H, forward_columns,
                        &L);
    if (hT) memcpy(hT, hs, sizeof(float) * B * H);
    return 0;
  }

  // P (B·T,H) = x · W + b, all steps at once
  ck__rnn_input_gemm(P, x, D, W, b, H, B * T, D, H);

  for (int t = 0; t < T; t++) {
    float *Pt = P + (long)t * H;
    // P_t += h_{t-1} · U   ((h_{t-1} ⊙ m) · U under recurrent dropout)
    ck__rnn_recurrent_gemm(Pt, T * H, 1.0f, hs, U, H, rdmask, tmp, 0, 1, B, H);
    step_forward(hs, Pt, hprev ? hprev + (long)t * H : NULL, y ? y + (long)t * H : NULL,
                 mask ? mask + t : NULL, activation, B, T, H);
  }
  if (hT) memcpy(hT, hs, sizeof(float) * B * H);
  return 0;
}

int ck_simple_rnn_backward(float *dx, float *dh0, float *dW, float *dU, float *db,
                           const float *dy, const float *dhT,
                           const float *x, const float *mask, const float *rdmask,
                           const float *W, const float *U,
                           ck_rnn_activation activation,
                           const float *cache, float *workspace,
                           int B, int T, int D, int H) {
  // dx is (B,T,D), dh0 (B,H), dW (D,H), dU (H,H), db (H), dy (B,T,H), dhT (B,H),
  // the rest as in the forward.
  if (!x) return -8;
  if (!W) return -11;
  if (!U) return -12;
  if (activation != CK_RNN_TANH && activation != CK_RNN_RELU) return -13;
  if (!cache) return -14;
  if (!workspace) return -15;
  if (B <= 0) return -16;
  if (T <= 0) return -17;
  if (D <= 0) return -18;
  if (H <= 0) return -19;

  long BT = (long)B * T, BTH = BT * H;
  const float *a = cache, *hprev = cache + BTH;
  float *dZ = workspace;             // (B,T,H)
  float *hm = workspace + BTH;       // (B,T,H), recurrent dropout only
  float *dhc = workspace + 2 * BTH;  // (B,H) dL/dh carried to the step before
  float *tmp = dhc + (long)B * H;

  if (dhT) memcpy(dhc, dhT, sizeof(float) * B * H);
  else memset(dhc, 0, sizeof(float) * B * H);

  for (int t = T - 1; t >= 0; t--) {
    step_backward(dZ + (long)t * H, dhc, dy ? dy + (long)t * H : NULL, a + (long)t * H,
                  mask ? mask + t : NULL, activation, B, T, H);
    // P_t += h_{t-1} · U   →   dh_{t-1} += dZ_t · Uᵀ
    ck__rnn_recurrent_gemm_backward(dhc, dZ + (long)t * H, T * H, U, H, rdmask, tmp,
                                    0, 1, B, H);
  }
  if (dh0) for (long i = 0; i < (long)B * H; i++) dh0[i] += dhc[i];

  // P = x · W + h_{t-1} · U + b, summed over all B·T rows at once
  if (dW) ck_sgemm(1, 0, D, H, (int)BT, 1.0f, x, D, dZ, H, 1.0f, dW, H);
  if (dx) ck_sgemm(0, 1, (int)BT, D, H, 1.0f, dZ, H, W, H, 1.0f, dx, D);
  if (dU)
    ck__rnn_recurrent_weight_grad(dU, H, hprev, H, 0, dZ, H, rdmask, hm, 0, 1, B, T, H);
  if (db) ck__col_sum_acc(db, dZ, BT, H, H);
  return 0;
}

// ---------------------------------------------------------------------------
// single step (the sequence kernel at T = 1)

int ck_simple_rnn_cell_forward(float *h, const float *x, const float *h_prev,
                               const float *rdmask,
                               const float *W, const float *U, const float *b,
                               ck_rnn_activation activation,
                               float *cache, float *workspace, int B, int D, int H) {
  // h is (B,H), x (B,D), h_prev (B,H), rdmask (B,H), weights as the sequence.
  if (!h) return -1;
  if (!x) return -2;
  if (!W) return -5;
  if (!U) return -6;
  if (activation != CK_RNN_TANH && activation != CK_RNN_RELU) return -8;
  if (!workspace) return -10;
  if (B <= 0) return -11;
  if (D <= 0) return -12;
  if (H <= 0) return -13;
  return ck_simple_rnn_forward(NULL, h, x, h_prev, NULL, rdmask, W, U, b, activation,
                               cache, workspace, B, 1, D, H);
}

int ck_simple_rnn_cell_backward(float *dx, float *dh_prev, float *dW, float *dU,
                                float *db, const float *dh, const float *x,
                                const float *rdmask, const float *W, const float *U,
                                ck_rnn_activation activation,
                                const float *cache, float *workspace,
                                int B, int D, int H) {
  // dh is (B,H): the gradient of the cell's output h (also its new state).
  if (!x) return -7;
  if (!W) return -9;
  if (!U) return -10;
  if (activation != CK_RNN_TANH && activation != CK_RNN_RELU) return -11;
  if (!cache) return -12;
  if (!workspace) return -13;
  if (B <= 0) return -14;
  if (D <= 0) return -15;
  if (H <= 0) return -16;
  return ck_simple_rnn_backward(dx, dh_prev, dW, dU, db, NULL, dh, x, NULL, rdmask, W,
                                U, activation, cache, workspace, B, 1, D, H);
}
