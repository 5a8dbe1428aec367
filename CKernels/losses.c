// losses.c — Keras's losses, per row, forward and backward, with the formulas of
// keras/src/backend/tensorflow/nn.py (Keras 3, TensorFlow backend).
// Dims: R = rows (samples: every axis of the predictions but the last, multiplied
// out), C = columns (the last axis: outputs or classes).
//
// Each forward writes one loss per row; the mean over rows (Keras's
// sum_over_batch_size) is the caller's. Each backward ACCUMULATES
// dpred (R,C) += dloss[r] · ∂loss[r]/∂pred[r,:]. Row sums are in double.
// The clipping of probabilities is TensorFlow's clip_by_value: its gradient passes
// where eps <= p <= 1 - eps and is zero outside, so p = 0 or 1 gets no gradient.
#include "ckernels.h"

#include <math.h>

// backend.epsilon() = 1e-7, and 1.0 - epsilon() as TensorFlow rounds it to float.
#define CK_EPS ((float)1e-7)
#define CK_ONE_MINUS_EPS ((float)(1.0 - 1e-7))

static inline float clip_prob(float p) {
  return p < CK_EPS ? CK_EPS : (p > CK_ONE_MINUS_EPS ? CK_ONE_MINUS_EPS : p);
}

// 1 where clip_by_value passes the gradient.
static inline float clip_pass(float p) {
  return (p >= CK_EPS && p <= CK_ONE_MINUS_EPS) ? 1.0f : 0.0f;
}

// Whether t is an integer class index in [0, C).
static inline int valid_class(float t, int C) {
  return t >= 0.0f && t < (float)C && t == (float)(long)t;
}

// z = x (logits) or log(clip(x, ε, 1−ε)): how Keras takes probabilities to logits.
static inline float as_logit(float x, int from_logits) {
  return from_logits ? x : logf(clip_prob(x));
}

// The pieces of one row's log-sum-exp over z = as_logit(x): *m = max_c z_c and
// *se = Σ_c exp(z_c − m), summed in double.
static inline void row_max_and_sum_exp(const float *x, int C, int from_logits, float *m,
                                       double *se) {
  float mx = as_logit(x[0], from_logits);
  for (int c = 1; c < C; c++) {
    float z = as_logit(x[c], from_logits);
    mx = z > mx ? z : mx;
  }
  double sum = 0;
  for (int c = 0; c < C; c++) sum += expf(as_logit(x[c], from_logits) - mx);
  *m = mx;
  *se = sum;
}

// Σ_c x[c], summed in double and rounded to float.
static inline float row_sum(const float *x, int C) {
  double s = 0;
  for (int c = 0; c < C; c++) s += x[c];
  return (float)s;
}

#define CHECK_ARGS(out, a, b, c)                                   \
  if (!(out)) return -1;                                          \
  if (!(a)) return -2;                                            \
  if (!(b)) return -3;                                            \
  if (!(c)) return -4;

// ---------------------------------------------------------------------------
// binary crossentropy — loss[r] = mean_c bce(pred[r,c], target[r,c])

// loss is (R), pred (R,C), target (R,C)
int ck_binary_crossentropy_forward(float *loss, const float *pred, const float *target,
                                   int from_logits, long R, int C) {
  CHECK_ARGS(loss, pred, target, pred)
  if (R < 0) return -5;
  if (C <= 0) return -6;
  for (long r = 0; r < R; r++) {
    const float *x = pred + r * C, *y = target + r * C;
    double sum = 0;
    for (int c = 0; c < C; c++) {
      float v;
      if (from_logits) {
        // max(x, 0) − x·y + log(1 + exp(−|x|))   (tf.nn.sigmoid_cross_entropy_with_logits)
        float relu = x[c] >= 0.0f ? x[c] : 0.0f;
        float neg_abs = x[c] >= 0.0f ? -x[c] : x[c];
        v = relu - x[c] * y[c] + log1pf(expf(neg_abs));
      } else {
        // p = clip(x, ε, 1−ε);  −(y·log p + (1−y)·log(1−p))
        float p = clip_prob(x[c]);
        v = -(y[c] * logf(p) + (1.0f - y[c]) * logf(1.0f - p));
      }
      sum += v;
    }
    loss[r] = (float)(sum / C);
  }
  return 0;
}

// dpred is (R,C), dloss (R), pred (R,C), target (R,C)
int ck_binary_crossentropy_backward(float *dpred, const float *dloss, const float *pred,
                                    const float *target, int from_logits, long R, int C) {
  CHECK_ARGS(dpred, dloss, pred, target)
  if (R < 0) return -6;
  if (C <= 0) return -7;
  for (long r = 0; r < R; r++) {
    const float *x = pred + r * C, *y = target + r * C;
    float *dx = dpred + r * C;
    float g = dloss[r] / (float)C;
    for (int c = 0; c < C; c++) {
      if (from_logits) {
        // forward: max(x, 0) − x·y + log(1 + exp(−|x|)), TF's where(x >= 0) branches:
        //   x >= 0: 1 − y − e/(1+e), e = exp(−x);   x < 0: e/(1+e) − y, e = exp(x)
        float d;
        if (x[c] >= 0.0f) {
          float e = expf(-x[c]);
          d = 1.0f - y[c] - e / (1.0f + e);
        } else {
          float e = expf(x[c]);
          d = e / (1.0f + e) - y[c];
        }
        dx[c] += g * d;
      } else {
        // forward: −(y·log p + (1−y)·log(1−p)), p = clip(x, ε, 1−ε)
        float p = clip_prob(x[c]);
        float d = -(y[c] / p) + (1.0f - y[c]) / (1.0f - p);
        dx[c] += g * d * clip_pass(x[c]);
      }
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------
// categorical crossentropy — loss[r] = −Σ_c target[r,c] · log softmax-or-normalised(pred)[r,c]

// loss is (R), pred (R,C), target (R,C)
int ck_categorical_crossentropy_forward(float *loss, const float *pred, const float *target,
                                        int from_logits, long R, int C) {
  CHECK_ARGS(loss, pred, target, pred)
  if (R < 0) return -5;
  if (C <= 0) return -6;
  for (long r = 0; r < R; r++) {
    const float *x = pred + r * C, *y = target + r * C;
    double sum = 0;
    if (from_logits) {
      // Σ_c y·(lse − (x − m)),  m = max x,  lse = log Σ exp(x − m)
      float m;
      double se;
      row_max_and_sum_exp(x, C, 1, &m, &se);
      float lse = logf((float)se);
      for (int c = 0; c < C; c++) sum += y[c] * (lse - (x[c] - m));
    } else {
      // q = x / Σ x;  p = clip(q, ε, 1−ε);  −Σ y·log p
      float sf = row_sum(x, C);
      for (int c = 0; c < C; c++) sum -= y[c] * logf(clip_prob(x[c] / sf));
    }
    loss[r] = (float)sum;
  }
  return 0;
}

// dpred is (R,C), dloss (R), pred (R,C), target (R,C)
int ck_categorical_crossentropy_backward(float *dpred, const float *dloss, const float *pred,
                                         const float *target, int from_logits, long R, int C) {
  CHECK_ARGS(dpred, dloss, pred, target)
  if (R < 0) return -6;
  if (C <= 0) return -7;
  for (long r = 0; r < R; r++) {
    const float *x = pred + r * C, *y = target + r * C;
    float *dx = dpred + r * C;
    float g = dloss[r];
    if (from_logits) {
      // forward: Σ y·(lse − (x − m)); TensorFlow's gradient is softmax(x) − y
      float m;
      double se;
      row_max_and_sum_exp(x, C, 1, &m, &se);
      float inv = (float)(1.0 / se);
      for (int c = 0; c < C; c++) dx[c] += g * (expf(x[c] - m) * inv - y[c]);
    } else {
      // forward: q = x / s, s = Σ x;  −Σ y·log clip(q)
      //   dq_c = −y_c / clip(q_c) · pass(q_c);   dx_j = dq_j / s − Σ_c dq_c · x_c / s²
      float sf = row_sum(x, C);
      double dot = 0;
      for (int c = 0; c < C; c++) {
        float q = x[c] / sf;
        float dq = -y[c] / clip_prob(q) * clip_pass(q);
        dot += (double)dq * x[c];
      }
      float ds = (float)(dot / ((double)sf * sf));
      for (int c = 0; c < C; c++) {
        float q = x[c] / sf;
        float dq = -y[c] / clip_prob(q) * clip_pass(q);
        dx[c] += g * (dq / sf - ds);
      }
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------
// sparse categorical crossentropy — target (R) holds class indices as floats
//
// From probabilities Keras takes z = log(clip(pred, ε, 1−ε)) as logits, so the loss is
// −z_t + log Σ exp(z) = −log clip(p_t) + log Σ_c clip(p_c): rows that do not sum to
// one are renormalised after clipping (unlike categorical crossentropy, which
// normalises before clipping).

// loss is (R), pred (R,C), target (R); -3 when a target is not an integer in [0, C)
int ck_sparse_categorical_crossentropy_forward(float *loss, const float *pred,
                                               const float *target, int from_logits,
                                               long R, int C) {
  CHECK_ARGS(loss, pred, target, pred)
  if (R < 0) return -5;
  if (C <= 0) return -6;
  for (long r = 0; r < R; r++)
    if (!valid_class(target[r], C)) return -3;
  for (long r = 0; r < R; r++) {
    const float *x = pred + r * C;
    int t = (int)target[r];
    // z = x (logits) or log(clip(x));  loss = lse(z) − z_t,  lse = m + log Σ exp(z − m)
    float m;
    double se;
    row_max_and_sum_exp(x, C, from_logits, &m, &se);
    float zt = as_logit(x[t], from_logits);
    loss[r] = logf((float)se) - (zt - m);
  }
  return 0;
}

// dpred is (R,C), dloss (R), pred (R,C), target (R)
int ck_sparse_categorical_crossentropy_backward(float *dpred, const float *dloss,
                                                const float *pred, const float *target,
                                                int from_logits, long R, int C) {
  CHECK_ARGS(dpred, dloss, pred, target)
  if (R < 0) return -6;
  if (C <= 0) return -7;
  for (long r = 0; r < R; r++)
    if (!valid_class(target[r], C)) return -4;
  for (long r = 0; r < R; r++) {
    const float *x = pred + r * C;
    float *dx = dpred + r * C;
    int t = (int)target[r];
    float g = dloss[r];
    // forward: lse(z) − z_t;  dz = softmax(z) − onehot(t)
    // from probabilities z = log(clip(x)):  dx = dz / clip(x) · pass(x)
    float m;
    double se;
    row_max_and_sum_exp(x, C, from_logits, &m, &se);
    float inv = (float)(1.0 / se);
    for (int c = 0; c < C; c++) {
      float z = as_logit(x[c], from_logits);
      float dz = expf(z - m) * inv - (c == t ? 1.0f : 0.0f);
      dx[c] += from_logits ? g * dz : g * (dz / clip_prob(x[c])) * clip_pass(x[c]);
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------
// mean squared error — loss[r] = mean_c (target − pred)²

// loss is (R), pred (R,C), target (R,C)
int ck_mean_squared_error_forward(float *loss, const float *pred, const float *target,
                                  long R, int C) {
  CHECK_ARGS(loss, pred, target, pred)
  if (R < 0) return -4;
  if (C <= 0) return -5;
  for (long r = 0; r < R; r++) {
    const float *x = pred + r * C, *y = target + r * C;
    double sum = 0;
    for (int c = 0; c < C; c++) {
      float d = y[c] - x[c];
      sum += d * d;
    }
    loss[r] = (float)(sum / C);
  }
  return 0;
}

// dpred is (R,C), dloss (R), pred (R,C), target (R,C)
int ck_mean_squared_error_backward(float *dpred, const float *dloss, const float *pred,
                                   const float *target, long R, int C) {
  CHECK_ARGS(dpred, dloss, pred, target)
  if (R < 0) return -5;
  if (C <= 0) return -6;
  for (long r = 0; r < R; r++) {
    const float *x = pred + r * C, *y = target + r * C;
    float *dx = dpred + r * C;
    float g = dloss[r] / (float)C;
    // forward: mean_c (y − x)²;  dx = −2·(y − x) / C
    for (int c = 0; c < C; c++) dx[c] += g * (-2.0f * (y[c] - x[c]));
  }
  return 0;
}

// ---------------------------------------------------------------------------
// accuracy metrics — match (R) = 1.0 where the prediction is right, else 0.0
// (keras/src/metrics/accuracy_metrics.py). argmax takes the first maximum, as tf.argmax.

static inline int argmax_row(const float *x, int C) {
  int best = 0;
  for (int c = 1; c < C; c++) if (x[c] > x[best]) best = c;
  return best;
}

// match is (N), pred (N), target (N): (pred > threshold) == target
void ck_binary_accuracy(float *match, const float *pred, const float *target,
                        long N, float threshold) {
  for (long i = 0; i < N; i++)
    match[i] = ((pred[i] > threshold ? 1.0f : 0.0f) == target[i]) ? 1.0f : 0.0f;
}

// match is (R), pred (R,C), target (R,C): argmax pred == argmax target
void ck_categorical_accuracy(float *match, const float *pred, const float *target,
                             long R, int C) {
  for (long r = 0; r < R; r++)
    match[r] = argmax_row(pred + r * C, C) == argmax_row(target + r * C, C) ? 1.0f : 0.0f;
}

// match is (R), pred (R,C), target (R): argmax pred == target (a float class index)
void ck_sparse_categorical_accuracy(float *match, const float *pred, const float *target,
                                    long R, int C) {
  for (long r = 0; r < R; r++)
    match[r] = (float)argmax_row(pred + r * C, C) == target[r] ? 1.0f : 0.0f;
}
