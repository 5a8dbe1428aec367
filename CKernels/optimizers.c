// optimizers.c — fused, in-place parameter updates with Keras 3's exact formulas.
// Dims: N = element count of one parameter (and of its gradient and every slot).
//
// Mirrors keras/src/optimizers/{sgd,adam,rmsprop}.py on the TensorFlow backend: every
// float32 operation Keras does per element is done here, in the same order, each one
// rounded to float (contraction into FMA is switched off below, since TensorFlow runs
// each op as its own kernel). One pass over the buffers per update; purely element-wise,
// so the result never depends on how work is split.
//
// Every kernel updates w and its slots in place, reads g, and returns 0, or -k when
// argument k is unusable (a NULL buffer that is required, a negative N).
#include "ckernels.h"

#include <math.h>
#include <stddef.h>

// The IEEE square root, without sqrtf's errno: a loop calling sqrtf cannot vectorise
// (the call must stay in case it sets errno), and the update loops below run over every
// weight at every step (a million for the IMDB embedding). sqrtps is correctly rounded
// like sqrtf, so the results stay bit for bit the same.
#ifndef __has_builtin
#define __has_builtin(x) 0
#endif
static inline float exact_sqrt(float x) {
#if __has_builtin(__builtin_elementwise_sqrt)
  return __builtin_elementwise_sqrt(x);
#else
  return sqrtf(x);
#endif
}

#pragma STDC FP_CONTRACT OFF

// ---------------------------------------------------------------------------
// SGD

// w is (N), m is (N) or NULL when momentum == 0, g is (N)
int ck_sgd_update(float *w, float *m, const float *g, long N, float lr, float momentum,
                  int nesterov) {
  if (w == NULL) return -1;
  if (g == NULL) return -3;
  if (N < 0) return -4;
  if (m == NULL) {
    if (momentum != 0.0f) return -2;
    // w = w - g * lr
    for (long i = 0; i < N; i++) w[i] = w[i] - g[i] * lr;
    return 0;
  }
  for (long i = 0; i < N; i++) {
    // m = m * momentum - g * lr
    float gl = g[i] * lr;
    float mi = m[i] * momentum - gl;
    m[i] = mi;
    // nesterov: w = w + (m * momentum - g * lr); otherwise w = w + m
    w[i] = nesterov ? w[i] + (mi * momentum - gl) : w[i] + mi;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Adam

float ck_adam_alpha(float lr, float beta1, float beta2, long t) {
  // beta_power = beta ** t, t = iterations + 1 as float
  float step = (float)t;
  float b1p = powf(beta1, step);
  float b2p = powf(beta2, step);
  // alpha = lr * sqrt(1 - beta_2_power) / (1 - beta_1_power)
  return lr * sqrtf(1.0f - b2p) / (1.0f - b1p);
}

// m = m + (g - m) * (1 - beta_1); v = v + (g² - v) * (1 - beta_2);
// w = w - (m * alpha) / (sqrt(v) + epsilon)
static void adam_loop(float *restrict w, float *restrict m, float *restrict v,
                      const float *restrict g, long N, float alpha, float one_minus_beta1,
                      float one_minus_beta2, float eps) {
  for (long i = 0; i < N; i++) {
    float gi = g[i];
    float mi = m[i] + (gi - m[i]) * one_minus_beta1;
    float vi = v[i] + (gi * gi - v[i]) * one_minus_beta2;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] - (mi * alpha) / (exact_sqrt(vi) + eps);
  }
}

// The same with amsgrad: v_hat = maximum(v_hat, v) (NaN kept), and the update uses v_hat.
static void amsgrad_loop(float *restrict w, float *restrict m, float *restrict v,
                         float *restrict vhat, const float *restrict g, long N, float alpha,
                         float one_minus_beta1, float one_minus_beta2, float eps) {
  for (long i = 0; i < N; i++) {
    float gi = g[i];
    float mi = m[i] + (gi - m[i]) * one_minus_beta1;
    float vi = v[i] + (gi * gi - v[i]) * one_minus_beta2;
    m[i] = mi;
    v[i] = vi;
    float h = vhat[i];
    h = (h != h || h > vi) ? h : vi;
    vhat[i] = h;
    w[i] = w[i] - (mi * alpha) / (exact_sqrt(h) + eps);
  }
}

// w is (N), m is (N), v is (N), vhat is (N) or NULL (no amsgrad), g is (N)
int ck_adam_update(float *w, float *m, float *v, float *vhat, const float *g, long N,
                   float alpha, float one_minus_beta1, float one_minus_beta2, float eps) {
  if (w == NULL) return -1;
  if (m == NULL) return -2;
  if (v == NULL) return -3;
  if (g == NULL) return -5;
  if (N < 0) return -6;
  if (vhat == NULL) adam_loop(w, m, v, g, N, alpha, one_minus_beta1, one_minus_beta2, eps);
  else amsgrad_loop(w, m, v, vhat, g, N, alpha, one_minus_beta1, one_minus_beta2, eps);
  return 0;
}

// ---------------------------------------------------------------------------
// RMSprop

// w is (N), v is (N), mg is (N) or NULL (not centered), mom is (N) or NULL
// (momentum == 0), g is (N)
int ck_rmsprop_update(float *w, float *v, float *mg, float *mom, const float *g, long N,
                      float lr, float rho, float one_minus_rho, float momentum, float eps) {
  if (w == NULL) return -1;
  if (v == NULL) return -2;
  if (g == NULL) return -5;
  if (N < 0) return -6;
  for (long i = 0; i < N; i++) {
    float gi = g[i];
    // velocity = rho * velocity + (1 - rho) * g²
    float vi = rho * v[i] + one_minus_rho * (gi * gi);
    v[i] = vi;
    float denom;
    if (mg != NULL) {
      // average_grad = rho * average_grad + (1 - rho) * g
      float a = rho * mg[i] + one_minus_rho * gi;
      mg[i] = a;
      // denominator = velocity - average_grad² + epsilon
      denom = (vi - a * a) + eps;
    } else {
      // denominator = velocity + epsilon
      denom = vi + eps;
    }
    // increment = (lr * g) / sqrt(denominator)
    float inc = (lr * gi) / exact_sqrt(denom);
    if (mom != NULL) {
      // momentum = momentum_coef * momentum + increment; w = w - momentum
      float mo = momentum * mom[i] + inc;
      mom[i] = mo;
      w[i] = w[i] - mo;
    } else {
      // w = w - increment
      w[i] = w[i] - inc;
    }
  }
  return 0;
}
