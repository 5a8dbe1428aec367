// lstm.c — Keras LSTM: fused gate pass, whole-sequence forward and backward (BPTT).
// Dims: B = batch, T = time, D = input features, H = units; 4H = the packed gates
// i, f, c (candidate, called g below), o, in Keras's order.
//
// Layout: the kernel works time-major inside (RNNKit.docc, "How the kernels run"): step t's slice of every
// (T,B,·) buffer is B contiguous rows. Each row of a step is laid out as
// xh = [1, x_t, h_{t-1}] (1+D+H floats) and the weights once per call as
// WU = [b; W; U] (1+D+H, 4H), so a step's pre-activations, bias included, are one
// product P_t = xh_t · WU, and in backward [db; dW; dU] is one GEMM xhᵀ·dZ over
// all steps and [dx_t, dh_{t-1}] come from dZ_t · [W; U]ᵀ. In training xh and the
// activated gates are the cache; inference keeps one step of each.
//
// Three paths run the time loops. On the batch slices (lstm_uses_microkernel) the
// loops run over slices of the batch (rnn_parallel.c): a row's recurrence reads
// only that row, so each thread takes its rows through all T steps, with
// microkernel.c's product per step, and no step waits for another thread. In
// backward each slice there sums its own [db; dW; dU] += xh_tᵀ·dZ_t step by step,
// while dZ_t is in cache, so dZ keeps one step; the slices' sums are added in slice
// order. On the column path (lstm_uses_columns), for weights too large for every
// thread to read at every step, a team splits each step's products by panels of
// columns and its passes by rows. The portable path runs one slice, all rows, with
// OpenBLAS per step. Both of the latter project every step's input, b + x_t · W,
// before the loop. y, dy and dx stay batch-first, as the caller holds them: the
// passes reach step t's rows with a row stride of T·H or T·D.
#include "ckernels.h"
#include "rnn_internal.h"

#include <string.h>

// ---------------------------------------------------------------------------
// sizes

// The per-step products read their weights and dZ in 16-float vectors along rows.
// So every such block starts on a cache line (ck__line_align) and its row stride is
// a whole, odd number of lines (ck__padded_row): no vector straddles two lines, and
// a strip of rows spreads over all of L1's sets. (With 4H = 256 floats the plain
// stride is 1 KiB, and a strip of rows falls into a quarter of the sets.)

// [W; U]ᵀ (4H rows): Wᵀ in columns 0..D−1, Uᵀ from column ck__round_line(D), so the
// dh product's vectors are line-aligned too.
static long transposed_u_column(int D) { return ck__round_line(D); }
static long transposed_row(int D, int H) {
  return ck__padded_row(transposed_u_column(D) + H);
}

// On the column path the weights are packed as panels (rnn_internal.h): in forward
// U (H, 4H) and then W (D, 4H), from forward_w_panels; in backward Wᵀ (4H, D) and
// then Uᵀ (4H, H), from panel transposed_u_panel(D).
static long transposed_u_panel(int D) { return ck__panel_count(D); }
static long forward_w_panels(int H) {
  return (long)H * CK_PANEL_COLUMNS * ck__panel_count(4L * H);
}

// The weight block of the workspace: [b; W; U] (1+D+H, 4H; padded rows) or U's
// panels in forward, [W; U]ᵀ (4H, transposed_row) or its panels and then [db; dW;
// dU] (1+D+H, 4H) in backward.
static long weights_size(int D, int H) {
  long a = (1L + D + H) * ck__padded_row(4L * H), b = 4L * H * transposed_row(D, H);
  long up = (long)(D + H) * CK_PANEL_COLUMNS * ck__panel_count(4L * H);
  long wup = 4L * H * CK_PANEL_COLUMNS * (transposed_u_panel(D) + ck__panel_count(H));
  long m = a > b ? a : b;
  m = m > up ? m : up;
  return m > wup ? m : wup;
}

long ck_lstm_cache_size(int B, int T, int D, int H) {
  // gates (T,B,4H), xh (T,B,1+D+H), cprev (T,B,H), tanhc (T,B,H)
  return (long)B * T * (7L * H + D + 1);
}

long ck_lstm_workspace_size(int B, int T, int D, int H) {
  // dZ (T,B,4H; padded rows) and hm (T,B,H) in backward (P_t (B,4H) and xh_t
  // (B,1+D+H) in inference), the weight block, and (B,H) each: h, c (or their
  // carries), tmp, tanh(c); plus a line before each of the two aligned blocks
  long BT = (long)B * T, K1 = 1L + D + H;
  return BT * ck__padded_row(4L * H) + BT * H + (long)B * K1 + weights_size(D, H) +
         4L * B * H + 2L * CK_LINE_FLOATS;
}

// The workspace's first block (dZ, or inference's P_t) and its weight block.
static float *first_block(float *workspace) { return ck__line_align(workspace); }
static float *weight_block(float *workspace, int B, int T, int D, int H) {
  long BT = (long)B * T;
  return ck__line_align(first_block(workspace) + BT * ck__padded_row(4L * H) +
                        BT * H + (long)B * (1L + D + H));
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

// One step over B rows: P_t (B,4H; row stride ldp) holds x_t·W + h_{t-1}·U + b on
// entry and i, f, g, o on exit; hs, cs (B,H) go from h_{t-1}, c_{t-1} to h_t, c_t; tanhc_t (B,H)
// receives tanh(c_t). cprev_t (B,H) (receives c_{t-1}), hnext (row stride ldhn:
// receives h_t, the next step's xh) and y_t (row stride ldy) may be NULL; mask_t
// points at mask[0, t] (row stride T) or is NULL.
CK_VECTOR_CLONES
static void step_forward(float *hs, float *cs, float *Pt, long ldp, float *hnext, long ldhn,
                         float *cprev_t, float *tanhc_t, float *y_t, long ldy,
                         const float *mask_t, int B, int T, int H) {
  for (int r = 0; r < B; r++) {
    float *p = Pt + r * ldp;
    float *h = hs + (long)r * H, *c = cs + (long)r * H, *tc = tanhc_t + (long)r * H;
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
    if (hnext) memcpy(hnext + r * ldhn, h, sizeof(float) * H);
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
// entry; the step adds dy_t (row stride ldy), writes dZ_t (B,4H; row stride lddz) =
// dL/d(pre-activations) (zero at masked rows), leaves in dcc dL/dc_{t-1} and in dhc
// the part of dL/dh_{t-1} that does not go through U (all of dL/dh_t at masked rows).
// gates_t (B,4H), cprev_t and tanhc_t (B,H) are the step's cache.
CK_VECTOR_CLONES
static void step_backward(float *dZt, long lddz, float *dhc, float *dcc,
                          const float *dy_t, long ldy, const float *gates_t,
                          const float *cprev_t, const float *tanhc_t,
                          const float *mask_t, int B, int T, int H) {
  for (int r = 0; r < B; r++) {
    float *dz = dZt + r * lddz;
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
  }
}

// ---------------------------------------------------------------------------
// whole sequence

// Whether this call runs the batch slices: the calling thread's choice
// (ck__rnn_use_microkernel, and the column split not forced), and [b; W; U] small
// enough to stay in a core's cache while every step reads all of it. Larger
// weights would stream from memory into every thread at every step.
static int lstm_uses_microkernel(int D, int H) {
  return ck__rnn_use_microkernel() && !ck__rnn_force_columns() &&
         (1L + D + H) * 4 * H <= CK_RNN_MICROKERNEL_MAX_WEIGHTS;
}

// Whether this call runs the column path: the micro-kernel, weights too large for
// the batch slices (or the column split forced), no recurrent dropout. Every step
// is split twice across a team of threads: the products by panels of columns (each
// thread streams its share of the packed weights), the fused passes by batch rows,
// with a barrier between.
static int lstm_uses_columns(int D, int H, const float *rdmask) {
  return ck__rnn_use_microkernel() && !rdmask && !lstm_uses_microkernel(D, H);
}

// What the forward time loop over a slice of rows reads and writes. Training: P
// and xh are the cache's (T,B,4H) and (T,B,1+D+H) blocks, cprev and tanhc its
// (T,B,H) ones. Inference: xh (B,1+D+H) and tanhc (B,H) hold one step, cprev is
// NULL, and P holds one step (B,4H) or, on the portable and column paths, every
// step's input projection batch-first (B,T,4H). Step t's P rows start at
// P + t·pstep, ldp apart. WU is [b; W; U], or on the column path U's and W's panels.
typedef struct {
  float *y, *hs, *cs, *P, *xh, *cprev, *tanhc, *tmp;
  const float *x, *mask, *rdmask, *WU, *b;
  long ldw;          // WU's row stride
  long pstep, ldp;  // P: offset from step to step, row stride
  int B, T, D, H, fast, training;
  int inputs_done;  // P already holds [1, x_t] · [b; W] for every step
} forward_loop;

// The [1, x] part of n rows of xh (row stride ldxh) from n rows of x (row stride
// ldx, D floats each).
static void set_input_rows(float *xh, long ldxh, const float *x, long ldx, int n, int D) {
  for (int r = 0; r < n; r++) {
    xh[r * ldxh] = 1.0f;
    memcpy(xh + r * ldxh + 1, x + r * ldx, sizeof(float) * D);
  }
}

// Step 0's h_{t-1} in the xh rows r0..r1−1: the initial state.
static void set_initial_h(const forward_loop *L, int r0, int r1) {
  const long K1 = 1L + L->D + L->H;
  for (int r = r0; r < r1; r++)
    memcpy(L->xh + r * K1 + 1 + L->D, L->hs + (long)r * L->H, sizeof(float) * L->H);
}

// Step t's fused pass over rows r0..r1−1, once P_t holds their pre-activations.
static void forward_pass(const forward_loop *L, int t, int r0, int r1) {
  const int B = L->B, T = L->T, D = L->D, H = L->H;
  const long K1 = 1L + D + H, BH = (long)B * H;
  long st = L->training ? t : 0;  // inference reuses one step's buffers
  float *xht = L->xh + (st * B + r0) * K1;
  // h_t goes on as the next step's h_{t-1}: into its xh rows (training) or back
  // into the same scratch rows (inference)
  float *hnext = !L->training ? xht + 1 + D
                 : t + 1 < T  ? xht + B * K1 + 1 + D
                              : NULL;
  long o = st * BH + (long)r0 * H;
  step_forward(L->hs + (long)r0 * H, L->cs + (long)r0 * H,
               L->P + t * L->pstep + r0 * L->ldp, L->ldp, hnext, K1,
               L->cprev ? L->cprev + o : NULL, L->tanhc + o,
               L->y ? L->y + ((long)r0 * T + t) * H : NULL, (long)T * H,
               L->mask ? L->mask + (long)r0 * T + t : NULL, r1 - r0, T, H);
}

// Rows r0..r1−1 through all T steps (the batch slices and the portable path).
static void forward_rows(void *arg, int slice, int r0, int r1) {
  const forward_loop *L = arg;
  const int B = L->B, T = L->T, D = L->D, H = L->H, n = r1 - r0;
  const long K1 = 1L + D + H, BH = (long)B * H;
  set_initial_h(L, r0, r1);
  for (int t = 0; t < T; t++) {
    long st = L->training ? t : 0;
    float *xht = L->xh + (st * B + r0) * K1;
    float *Pt = L->P + t * L->pstep + r0 * L->ldp;
    const float *xt = L->x + ((long)r0 * T + t) * D;  // x_t of row r0, rows T·D apart
    if (!L->inputs_done) set_input_rows(xht, K1, xt, (long)T * D, n, D);
    if (L->fast && !L->rdmask) {
      // P_t = [1, x_t, h_{t-1}] · [b; W; U]
      ck__gemm(1, 0, 0, n, 4 * H, (int)K1, xht, K1, L->WU, L->ldw, Pt, L->ldp);
    } else {
      // P_t = [1, x_t] · [b; W] + h_{t-1} · U (per gate (h_{t-1} ⊙ m_g) · U_g)
      if (!L->inputs_done)
        ck__gemm(L->fast, 0, 0, n, 4 * H, 1 + D, xht, K1, L->WU, L->ldw, Pt, L->ldp);
      const float *U = L->WU + (1L + D) * L->ldw;
      if (!L->rdmask)
        ck__gemm(L->fast, 0, 1, n, 4 * H, H, xht + 1 + D, K1, U, L->ldw, Pt, L->ldp);
      float *hm = L->tmp + (long)r0 * H;
      for (int g = 0; L->rdmask && g < 4; g++) {
        const float *m = L->rdmask + g * BH + (long)r0 * H;
        for (int r = 0; r < n; r++)
          for (int k = 0; k < H; k++)
            hm[(long)r * H + k] = xht[r * K1 + 1 + D + k] * m[(long)r * H + k];
        ck__gemm(L->fast, 0, 1, n, H, H, hm, H, U + g * H, L->ldw, Pt + g * H, L->ldp);
      }
    }
    forward_pass(L, t, r0, r1);
  }
}

// Member i of n on the column path. First its share of the B·T rows of every
// step's input projection P = b + x · W (W's panels after U's in WU): batch-first
// from x in inference, time-major from the cache's xh rows in training, the same
// sums either way. Then at every step its panels of P_t += h_{t-1} · U (every row),
// and its rows' fused pass. No OpenBLAS call: its threads would spin beside the
// team's after returning.
static void forward_columns(void *arg, int i, int n, ck__barrier *barrier) {
  const forward_loop *L = arg;
  const int B = L->B, T = L->T, D = L->D, H = L->H;
  const long K1 = 1L + D + H;
  const ck__team_share s = ck__team_share_of(i, n, B, T, (int)ck__panel_count(4L * H));
  const long p0 = s.p0, p1 = s.p1;
  if (L->training) {
    for (long r = p0; r < p1; r++)  // time-major row r is x[r mod B, r / B]
      set_input_rows(L->xh + r * K1, K1, L->x + ((r % B) * T + r / B) * D, 0, 1, D);
    ck__rnn_input_panels(L->P + p0 * 4 * H, L->xh + p0 * K1 + 1, K1,
                         L->WU + forward_w_panels(H), L->b, p1 - p0, D, 4 * H);
  } else {
    ck__rnn_input_panels(L->P + p0 * 4 * H, L->x + p0 * D, D, L->WU + forward_w_panels(H),
                         L->b, p1 - p0, D, 4 * H);
  }
  set_initial_h(L, s.r0, s.r1);
  ck__barrier_wait(barrier);
  for (int t = 0; t < T; t++) {
    const float *ht = L->xh + (L->training ? (long)t * B * K1 : 0) + 1 + D;
    ck__gemm_panels(1, B, 4 * H, H, ht, K1, L->WU, s.s0, s.s1, L->P + t * L->pstep,
                    L->ldp);
    ck__barrier_wait(barrier);
    forward_pass(L, t, s.r0, s.r1);
    ck__barrier_wait(barrier);
  }
}

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

  long BH = (long)B * H, BT = (long)B * T, BTH = BT * H, K1 = 1L + D + H;
  long ld = ck__padded_row(4L * H);
  // [b; W; U] (1+D+H, 4H), stride ld; on the column path U's panels
  float *WU = weight_block(workspace, B, T, D, H);
  float *hs = WU + weights_size(D, H), *cs = hs + BH, *tmp = cs + BH,
        *tanhc_scratch = tmp + BH;
  int columns = lstm_uses_columns(D, H, rdmask);
  forward_loop L = {.y = y, .hs = hs, .cs = cs, .tmp = tmp, .x = x, .b = b, .mask = mask,
                    .rdmask = rdmask, .WU = WU, .ldw = ld, .B = B, .T = T, .D = D, .H = H,
                    .fast = lstm_uses_microkernel(D, H), .training = cache != NULL};
  if (cache) {
    L.P = cache;
    L.pstep = 4 * BH;
    L.ldp = 4L * H;
    L.xh = cache + 4 * BTH;
    L.cprev = L.xh + BT * K1;
    L.tanhc = L.cprev + BTH;
  } else if (L.fast) {
    L.P = first_block(workspace);
    L.pstep = 0;
    L.ldp = 4L * H;
    L.xh = L.P + 4 * BH;
    L.tanhc = tanhc_scratch;
  } else {
    // Portable and column inference: P (B,T,4H) = b + x · W for all steps, over x's
    // batch-first rows, before the loop (in dZ's block; xh in the one after hm's):
    // here in one GEMM, or by the column team.
    L.P = first_block(workspace);
    L.pstep = 4L * H;
    L.ldp = 4L * T * H;
    L.xh = L.P + BT * ck__padded_row(4L * H) + BTH;
    L.tanhc = tanhc_scratch;
    if (!columns) ck__rnn_input_gemm(L.P, x, D, W, b, 4 * H, (int)BT, D, 4 * H);
    L.inputs_done = 1;
  }
  if (columns) {
    ck__pack_panels(WU, U, 4 * H, 0, H, 4 * H);
    ck__pack_panels(WU + forward_w_panels(H), W, 4 * H, 0, D, 4 * H);
  } else {
    if (b) memcpy(WU, b, sizeof(float) * 4 * H);
    else memset(WU, 0, sizeof(float) * 4 * H);
    for (long k = 0; k < D; k++)
      memcpy(WU + (1 + k) * ld, W + k * 4 * H, sizeof(float) * 4 * H);
    for (long k = 0; k < H; k++)
      memcpy(WU + (1 + D + k) * ld, U + k * 4 * H, sizeof(float) * 4 * H);
  }
  if (h0) memcpy(hs, h0, sizeof(float) * BH);
  else memset(hs, 0, sizeof(float) * BH);
  if (c0) memcpy(cs, c0, sizeof(float) * BH);
  else memset(cs, 0, sizeof(float) * BH);

  if (cache && !L.fast && !columns) {
    // Portable training: P (T·B,4H) = b + x · W for all steps in one GEMM over the
    // cache's time-major rows, before the loop; the same sums as inference's.
    for (int t = 0; t < T; t++)
      set_input_rows(L.xh + t * B * K1, K1, x + (long)t * D, (long)T * D, B, D);
    ck__rnn_input_gemm(L.P, L.xh + 1, (int)K1, W, b, 4 * H, (int)BT, D, 4 * H);
    L.inputs_done = 1;
  }
  double flops = 2.0 * BT * K1 * 4 * H;
  if (columns) {
    ck__run_column_team(B, ck__panel_count(4L * H), flops, forward_columns, &L);
  } else {
    int nthreads = L.fast ? ck__rnn_thread_count(B, CK_RNN_MIN_ROWS_PER_THREAD, flops) : 1;
    ck__parallel_rows(nthreads, forward_rows, &L, B);
  }
  if (hT) memcpy(hT, hs, sizeof(float) * BH);
  if (cT) memcpy(cT, cs, sizeof(float) * BH);
  return 0;
}

// What the backward time loop over a slice of rows reads and writes: the cache's
// blocks, dZ (T,B,4H), the carries dhc, dcc and tmp (B,H), and WUT = [W; U]ᵀ
// (4H rows; Uᵀ from column ucol), or on the column path its panels (Uᵀ's from
// panel transposed_u_panel(D)). With step_weights, dZ holds one step (each
// slice's rows at their place) and each slice sums its own [db; dW; dU] over the
// steps into its accumulator (1+D+H, 4H; row stride ldacc) at acc + slice·accsize.
typedef struct {
  float *dx, *dZ, *dhc, *dcc, *tmp, *acc;
  const float *dy, *xh, *gates, *cprev, *tanhc, *mask, *rdmask, *WUT;
  long lddz, ldt, ucol;  // dZ's and WUT's row strides, WUT's first Uᵀ column
  long ldacc, accsize;
  int B, T, D, H, fast, step_weights;
} backward_loop;

// Step t's fused adjoint pass over rows r0..r1−1, writing their dZ_t rows at dZr.
static void backward_pass(const backward_loop *L, int t, int r0, int r1, float *dZr) {
  const int B = L->B, T = L->T, H = L->H;
  long o = t * (long)B * H + (long)r0 * H;
  step_backward(dZr, L->lddz, L->dhc + (long)r0 * H, L->dcc + (long)r0 * H,
                L->dy ? L->dy + ((long)r0 * T + t) * H : NULL, (long)T * H,
                L->gates + 4 * o, L->cprev + o, L->tanhc + o,
                L->mask ? L->mask + (long)r0 * T + t : NULL, r1 - r0, T, H);
}

// Rows r0..r1−1 back through all T steps (the batch slices and the portable path).
static void backward_rows(void *arg, int slice, int r0, int r1) {
  const backward_loop *L = arg;
  const int B = L->B, T = L->T, D = L->D, H = L->H, n = r1 - r0;
  const long BH = (long)B * H, ldt = L->ldt;
  const float *UT = L->WUT + L->ucol;
  float *dhc = L->dhc + (long)r0 * H;
  float *tmp = L->tmp + (long)r0 * H;
  float *acc = L->step_weights ? L->acc + slice * L->accsize : NULL;
  for (int t = T - 1; t >= 0; t--) {
    float *dZt = L->dZ + ((L->step_weights ? 0 : (long)t * B) + r0) * L->lddz;
    backward_pass(L, t, r0, r1, dZt);
    // P_t = [1, x_t, h_{t-1}] · [b; W; U]  →  [db; dW; dU] += xh_tᵀ · dZ_t, while
    // dZ_t is in cache
    if (acc)
      ck__gemm(1, 1, t < T - 1, (int)(1L + D + H), 4 * H, n,
               L->xh + ((long)t * B + r0) * (1L + D + H), 1L + D + H, dZt, L->lddz, acc,
               L->ldacc);
    // P_t = x_t · W + h_{t-1} · U + b  →  dx_t += dZ_t · Wᵀ, dh_{t-1} += dZ_t · Uᵀ
    if (L->dx)
      ck__gemm(L->fast, 0, 1, n, D, 4 * H, dZt, L->lddz, L->WUT, ldt,
                  L->dx + ((long)r0 * T + t) * D, (long)T * D);
    if (!L->rdmask) {
      ck__gemm(L->fast, 0, 1, n, H, 4 * H, dZt, L->lddz, UT, ldt, dhc, H);
      continue;
    }
    for (int g = 0; g < 4; g++) {
      // dh_{t-1} += (dZ_g · U_gᵀ) ⊙ m_g
      ck__gemm(L->fast, 0, 0, n, H, H, dZt + g * H, L->lddz, UT + g * H * ldt, ldt,
                  tmp, H);
      const float *m = L->rdmask + g * BH + (long)r0 * H;
      for (long i = 0; i < (long)n * H; i++) dhc[i] += tmp[i] * m[i];
    }
  }
}

// Member i of n on the column path: at every step its rows' adjoint pass, then its
// panels of dx_t += dZ_t · Wᵀ and dh_{t-1} += dZ_t · Uᵀ over every row (the dx
// panels first, when dx is wanted, then dh's).
static void backward_columns(void *arg, int i, int n, ck__barrier *barrier) {
  const backward_loop *L = arg;
  const int B = L->B, T = L->T, D = L->D, H = L->H;
  const int xpanels = L->dx ? (int)ck__panel_count(D) : 0;
  const ck__team_share s = ck__team_share_of(i, n, B, T, xpanels + (int)ck__panel_count(H));
  const int s0 = s.s0, s1 = s.s1;
  const float *UTp = L->WUT + transposed_u_panel(D) * CK_PANEL_COLUMNS * 4 * H;
  for (int t = T - 1; t >= 0; t--) {
    float *dZt = L->dZ + (long)t * B * L->lddz;
    backward_pass(L, t, s.r0, s.r1, dZt + s.r0 * L->lddz);
    ck__barrier_wait(barrier);
    if (s0 < xpanels)
      ck__gemm_panels(1, B, D, 4 * H, dZt, L->lddz, L->WUT, s0,
                      s1 < xpanels ? s1 : xpanels, L->dx + (long)t * D, (long)T * D);
    if (s1 > xpanels)
      ck__gemm_panels(1, B, H, 4 * H, dZt, L->lddz, UTp,
                      (s0 > xpanels ? s0 : xpanels) - xpanels, s1 - xpanels, L->dhc, H);
    ck__barrier_wait(barrier);
  }
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

  long BH = (long)B * H, BT = (long)B * T, BTH = BT * H, K1 = 1L + D + H;
  const float *xh = cache + 4 * BTH;
  long lddz = ck__padded_row(4L * H), ldt = transposed_row(D, H);
  long ucol = transposed_u_column(D);
  float *dZ = first_block(workspace);  // (T,B,4H), row stride lddz
  float *hm = dZ + BT * lddz;          // (T,B,H), recurrent dropout only
  // [W; U]ᵀ (4H rows, stride ldt) in the loop, then [db; dW; dU] (1+D+H, 4H)
  float *WB = weight_block(workspace, B, T, D, H);
  float *dhc = WB + weights_size(D, H);  // (B,H) dL/dh carried to the step before
  float *dcc = dhc + BH;                 // (B,H) dL/dc carried to the step before
  int weights = db || dW || dU, fast = lstm_uses_microkernel(D, H);
  int columns = lstm_uses_columns(D, H, rdmask);
  double flops = 2.0 * BT * 4 * H * ((dx ? D + H : H) + (weights ? K1 : 0));
  int nthreads = fast ? ck__rnn_thread_count(B, CK_RNN_MIN_ROWS_PER_THREAD, flops) : 1;
  // On the micro-kernel path each slice sums its weight gradients step by step, and
  // dZ keeps one step, when the slices' accumulators fit in the rest of dZ's block
  // (recurrent dropout's per-gate dU takes the whole-sequence product below).
  long ldacc = ck__padded_row(4L * H), accsize = K1 * ldacc;
  int step_weights = fast && weights && !rdmask &&
                     (long)B * lddz + nthreads * accsize <= BT * lddz;
  backward_loop L = {.dx = dx, .dZ = dZ, .dhc = dhc, .dcc = dcc, .tmp = dcc + BH,
                     .acc = dZ + (long)B * lddz, .dy = dy, .xh = xh, .gates = cache,
                     .cprev = xh + BT * K1, .tanhc = xh + BT * K1 + BTH, .mask = mask,
                     .rdmask = rdmask, .WUT = WB, .lddz = lddz, .ldt = ldt, .ucol = ucol,
                     .ldacc = ldacc, .accsize = accsize, .B = B, .T = T, .D = D, .H = H,
                     .fast = fast, .step_weights = step_weights};
  // [W; U]ᵀ: as rows (the batch slices, portable), or as panels (the column path)
  if (dhT) memcpy(dhc, dhT, sizeof(float) * BH);
  else memset(dhc, 0, sizeof(float) * BH);
  if (dcT) memcpy(dcc, dcT, sizeof(float) * BH);
  else memset(dcc, 0, sizeof(float) * BH);
  if (columns) {
    ck__pack_panels(WB, W, 4 * H, 1, 4 * H, D);
    ck__pack_panels(WB + transposed_u_panel(D) * CK_PANEL_COLUMNS * 4 * H, U, 4 * H, 1,
                    4 * H, H);
    ck__run_column_team(B, (dx ? ck__panel_count(D) : 0) + ck__panel_count(H), flops,
                        backward_columns, &L);
  } else {
    ck__transpose(WB, ldt, W, 4 * H, D, 4 * H);
    ck__transpose(WB + ucol, ldt, U, 4 * H, H, 4 * H);
    ck__parallel_rows(nthreads, backward_rows, &L, B);
  }
  if (dh0) for (long i = 0; i < BH; i++) dh0[i] += dhc[i];
  if (dc0) for (long i = 0; i < BH; i++) dc0[i] += dcc[i];
  if (!weights) return 0;

  // P = [1, x, h_{t-1}] · [b; W; U] over all B·T rows  →  [db; dW; dU] = xhᵀ · dZ:
  // the slices' sums added in slice order, or one product over the whole sequence;
  // under recurrent dropout dU is per gate, over masked rows
  if (step_weights) {
    for (long i = 0; i < K1; i++) {
      float *row = WB + i * 4 * H;
      memcpy(row, L.acc + i * ldacc, sizeof(float) * 4 * H);
      for (int s = 1; s < nthreads; s++)
        ck__row_add(row, L.acc + s * accsize + i * ldacc, 4 * H);
    }
  } else {
    ck__rnn_weight_gemm(fast, 0, rdmask ? 1 + D : (int)K1, 4 * H, (int)BT, xh, K1, dZ,
                        lddz, WB, 4 * H);
  }
  if (db) for (long i = 0; i < 4L * H; i++) db[i] += WB[i];
  if (dW) for (long i = 0; i < (long)D * 4 * H; i++) dW[i] += WB[4L * H + i];
  if (dU && !rdmask)
    for (long i = 0; i < 4L * H * H; i++) dU[i] += WB[(1L + D) * 4 * H + i];
  if (dU && rdmask)
    ck__rnn_recurrent_weight_grad(dU, 4 * H, xh + 1 + D, (int)K1, 1, dZ, (int)lddz, rdmask,
                                  hm, 0, 4, B, T, H);
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
