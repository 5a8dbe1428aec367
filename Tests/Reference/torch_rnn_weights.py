"""PyTorch recurrent modules, their state dicts and outputs: fixtures for importing PyTorch
weights into RNNKit's (Keras-layout) layers.

What it generates
    For each case NAME, in Tests/RNNKitKerasTests/Fixtures/torch/:
      NAME.safetensors    the module's state_dict(), float32, PyTorch's own keys
                          (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._reverse,
                          ..._l1; the composite model's keys are prefixed by the submodule:
                          embedding.weight, lstm.weight_ih_l0, fc.weight, fc.bias), written by
                          safetensors.torch.save_file with metadata {"generated_by": ...}.
      NAME.input.npy      float32 [batch, time, features] = [4, 6, 3], always batch-first
                          (int64 token ids [4, 6] in [0, 30) for the embedding model).
      NAME.expected.npy   float32 output in eval mode under torch.no_grad(): a bare recurrent
                          module's full sequence `output`, batch-first [B, T, H * directions];
                          the composite model's final output [B, 2].
      NAME.h_n.npy        bare recurrent modules only: h_n [layers * directions, B, H]
      NAME.c_n.npy        LSTM only: c_n, same shape.
      NAME.json           the configuration (see `config` below) and the Keras conversion.
    Every parameter is uniform in [-0.5, 0.5] (so biases are non-zero and bias_ih != bias_hh).

How to run (from the package root; never part of CI)
    Tests/Reference/.venv/bin/python Tests/Reference/torch_rnn_weights.py [NAME ...]
    Needs torch, safetensors and NumPy only (no TensorFlow). Without arguments it
    regenerates every case and removes files of cases that no longer exist.

Determinism
    Each case draws its numbers from numpy.random.default_rng(crc32(NAME))
    (fixture_common.case_rng): first every parameter, in state_dict() order, uniform in
    [-0.5, 0.5); then the input (uniform in [-1, 1), or integers in [0, 30)). One torch thread.

Conversion to Keras (asserted by this script: for every case the output, h_n and c_n are
recomputed in NumPy float64 with Keras's formulas from the converted weights and must match
PyTorch within 1e-5)
    H = hidden_size; "l" is the layer; a direction's suffix is "_l{l}" (forward) or
    "_l{l}_reverse" (backward).
    LSTM   Keras gate order i, f, c, o equals PyTorch's i, f, g, o: no reordering.
           kernel [in, 4H] = weight_ih.T; recurrent_kernel [H, 4H] = weight_hh.T;
           bias [4H] = bias_ih + bias_hh.
           bias=False -> use_bias=False, weights [kernel, recurrent_kernel].
    GRU    PyTorch's row blocks are (r, z, n), Keras's columns are (z, r, h): swap the first
           two H-row blocks of weight_ih, weight_hh, bias_ih, bias_hh: P(w) = [w[H:2H]; w[0:H];
           w[2H:3H]]. kernel [in, 3H] = P(weight_ih).T; recurrent_kernel [H, 3H] =
           P(weight_hh).T; bias [2, 3H] = [P(bias_ih), P(bias_hh)]; Keras reset_after=True
           (the Keras 3 default): h~ = tanh(x.Wh + b_in_h + r * (h.Uh + b_rec_h)),
           h = z * h_prev + (1 - z) * h~ (same as PyTorch's n and h').
    RNN    kernel = weight_ih.T; recurrent_kernel = weight_hh.T; bias = bias_ih + bias_hh;
           SimpleRNN activation = nonlinearity ("tanh" or "relu").
    Linear Dense kernel [in, out] = weight.T; bias = bias.
    Embedding  Keras embeddings [num_embeddings, dim] = weight (same matrix).
    Directions and layers: layer l's forward direction uses "_l{l}", its backward direction
    "_l{l}_reverse". The backward direction runs over the reversed sequence and its output
    sequence is reversed back before concatenation [forward, backward] on the feature axis
    = Keras Bidirectional(layer, merge_mode="concat") with return_sequences=True
    (get_weights: forward's weights, then backward's). Layer l+1's input is layer l's
    concatenated output (a stack of Keras layers, all return_sequences=True).
    h_n[l * directions + d] (d = 0 forward, 1 backward) is that direction's final state:
    the forward one after time T-1, the backward one after time 0 (= Keras's h_fw / h_bw
    from return_state=True); c_n likewise. batch_first does not change the weights: it only
    transposes output (not h_n / c_n).
"""

import json
import sys

import fixture_common as common  # stdlib only at import time; no TensorFlow

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
import safetensors  # noqa: E402
from safetensors.torch import save_file, load_file  # noqa: E402

OUT_DIR = common.ROOT / "Tests" / "RNNKitKerasTests" / "Fixtures" / "torch"
GENERATED_BY = (f"Tests/Reference/torch_rnn_weights.py (torch {torch.__version__}, "
                f"safetensors {safetensors.__version__}, NumPy {np.__version__}), do not edit")

B, T, F, H = 4, 6, 3, 4
VOCAB, EMBED, CLASSES = 30, 5, 2
TOL = 1e-5

KERAS_RULES = {
    "LSTM": {"keras_layer": "LSTM",
             "kernel": "weight_ih.T", "recurrent_kernel": "weight_hh.T",
             "bias": "bias_ih + bias_hh",
             "gate_order": "PyTorch i,f,g,o == Keras i,f,c,o (no reordering)"},
    "GRU": {"keras_layer": "GRU(reset_after=True)",
            "kernel": "P(weight_ih).T", "recurrent_kernel": "P(weight_hh).T",
            "bias": "[P(bias_ih), P(bias_hh)]  (shape [2, 3H])",
            "gate_order": "PyTorch r,z,n -> Keras z,r,h: P(w) = concat(w[H:2H], w[0:H], w[2H:3H]) on axis 0"},
    "RNN": {"keras_layer": "SimpleRNN(activation=nonlinearity)",
            "kernel": "weight_ih.T", "recurrent_kernel": "weight_hh.T",
            "bias": "bias_ih + bias_hh"},
}
STACKING = ("layer l forward uses suffix _l{l}, backward _l{l}_reverse; backward runs over the "
            "reversed sequence and its outputs are reversed back; concat [forward, backward] = "
            "Keras Bidirectional(merge_mode='concat', return_sequences=True), get_weights forward "
            "then backward; layer l+1 input = layer l output. h_n/c_n index = l * directions + d "
            "(d=0 forward, final after t=T-1; d=1 backward, final after t=0). bias=False -> "
            "use_bias=False, weights [kernel, recurrent_kernel].")


# --- parameters ------------------------------------------------------------------------

def seed_parameters(module, rng):
    """Every parameter, in state_dict() order, uniform in [-0.5, 0.5)."""
    with torch.no_grad():
        for _, p in module.state_dict(keep_vars=True).items():
            p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))


def rnn_config(kind, m):
    c = {"module": kind, "input_size": m.input_size, "hidden_size": m.hidden_size,
         "num_layers": m.num_layers, "bidirectional": m.bidirectional, "bias": m.bias,
         "batch_first": m.batch_first}
    if kind == "RNN":
        c["nonlinearity"] = m.nonlinearity
    return c


def expected_keys(cfg, prefix=""):
    keys = []
    for l in range(cfg["num_layers"]):
        for suffix in [f"_l{l}"] + ([f"_l{l}_reverse"] if cfg["bidirectional"] else []):
            names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if cfg["bias"] else [])
            keys += [prefix + n + suffix for n in names]
    return keys


# --- the conversion and Keras's formulas in NumPy float64 -------------------------------

def gru_reorder(w):
    """PyTorch (r, z, n) row blocks -> Keras (z, r, h)."""
    r, z, n = np.split(w, 3, axis=0)
    return np.concatenate([z, r, n], axis=0)


def keras_weights(kind, sd, suffix, bias, prefix=""):
    """Keras get_weights() of one direction, float64, from the state dict."""
    g = lambda k: sd[prefix + k + suffix].astype(np.float64)  # noqa: E731
    if kind == "GRU":
        w = [gru_reorder(g("weight_ih")).T, gru_reorder(g("weight_hh")).T]
        if bias:
            w.append(np.stack([gru_reorder(g("bias_ih")), gru_reorder(g("bias_hh"))]))
    else:  # LSTM, RNN
        w = [g("weight_ih").T, g("weight_hh").T]
        if bias:
            w.append(g("bias_ih") + g("bias_hh"))
    return w


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def keras_direction(kind, weights, x, nonlinearity="tanh"):
    """One Keras layer (return_sequences, return_state) on x [B, T, in], zero initial state.
    Returns (sequence [B, T, H], h, c or None)."""
    kernel, rec = weights[0], weights[1]
    units = rec.shape[0]
    batch, steps = x.shape[:2]
    h = np.zeros((batch, units))
    c = np.zeros((batch, units))
    ys = []
    for t in range(steps):
        xt = x[:, t, :]
        if kind == "LSTM":
            z = xt @ kernel + h @ rec + (weights[2] if len(weights) > 2 else 0.0)
            i, f, cc, o = np.split(z, 4, axis=1)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(cc)
            h = sigmoid(o) * np.tanh(c)
        elif kind == "GRU":  # reset_after=True
            b_in, b_rec = weights[2] if len(weights) > 2 else (0.0, 0.0)
            mx = xt @ kernel + b_in
            mh = h @ rec + b_rec
            xz, xr, xh = np.split(mx, 3, axis=1)
            hz, hr, hh = np.split(mh, 3, axis=1)
            zg, rg = sigmoid(xz + hz), sigmoid(xr + hr)
            cand = np.tanh(xh + rg * hh)
            h = zg * h + (1.0 - zg) * cand
        else:  # SimpleRNN
            pre = xt @ kernel + h @ rec + (weights[2] if len(weights) > 2 else 0.0)
            h = np.tanh(pre) if nonlinearity == "tanh" else np.maximum(pre, 0.0)
        ys.append(h)
    return np.stack(ys, axis=1), h, (c if kind == "LSTM" else None)


def keras_stack(cfg, sd, x, prefix=""):
    """The whole (multi-layer, bidirectional) module in Keras terms; x batch-first float64.
    Returns (output [B, T, H * D], h_n [L * D, B, H], c_n or None)."""
    kind = cfg["module"]
    hs, cs = [], []
    inp = x
    for l in range(cfg["num_layers"]):
        outs = []
        for d, suffix in enumerate([f"_l{l}", f"_l{l}_reverse"][: 2 if cfg["bidirectional"] else 1]):
            w = keras_weights(kind, sd, suffix, cfg["bias"], prefix)
            xin = inp if d == 0 else inp[:, ::-1, :]
            y, h, c = keras_direction(kind, w, xin, cfg.get("nonlinearity", "tanh"))
            outs.append(y if d == 0 else y[:, ::-1, :])
            hs.append(h)
            cs.append(c)
        inp = np.concatenate(outs, axis=2)
    return inp, np.stack(hs), (np.stack(cs) if kind == "LSTM" else None)


def assert_close(name, what, ours, theirs):
    err = float(np.max(np.abs(np.asarray(ours, np.float64) - np.asarray(theirs, np.float64))))
    assert ours.shape == theirs.shape, (name, what, ours.shape, theirs.shape)
    assert err < TOL, f"{name}: {what} differs from PyTorch by {err}"
    return err


# --- writing -----------------------------------------------------------------------------

def write_case(name, module, inputs, arrays, doc):
    """Writes NAME.safetensors, NAME.<key>.npy for each array and NAME.json; checks the
    safetensors file reads back exactly."""
    sd = {k: v.detach().contiguous() for k, v in module.state_dict().items()}
    assert all(v.dtype == torch.float32 for v in sd.values())
    path = OUT_DIR / f"{name}.safetensors"
    save_file(sd, str(path), metadata={"generated_by": GENERATED_BY})
    back = load_file(str(path))
    assert list(sd) == doc["state_dict_keys"] and set(back) == set(sd)
    assert all(torch.equal(back[k], sd[k]) for k in sd)
    np.save(OUT_DIR / f"{name}.input.npy", inputs)
    for key, a in arrays.items():
        np.save(OUT_DIR / f"{name}.{key}.npy", np.ascontiguousarray(a, dtype=np.float32))
    (OUT_DIR / f"{name}.json").write_text(json.dumps(doc, indent=1) + "\n")
    files = [f"{name}.safetensors", f"{name}.input.npy"] + [f"{name}.{k}.npy" for k in arrays] + [f"{name}.json"]
    return files


def recurrent_case(name, kind, description, **kwargs):
    def make():
        rng = common.case_rng(name)
        module = getattr(nn, kind)(**kwargs).eval()
        seed_parameters(module, rng)
        x = rng.uniform(-1.0, 1.0, (B, T, F)).astype(np.float32)
        with torch.no_grad():
            xt = torch.from_numpy(x)
            if not module.batch_first:
                xt = xt.transpose(0, 1).contiguous()  # [T, B, F]
            out, state = module(xt)
            if not module.batch_first:
                out = out.transpose(0, 1)  # back to [B, T, H * D]
        h_n, c_n = (state if kind == "LSTM" else (state, None))
        arrays = {"expected": out.numpy(), "h_n": h_n.numpy()}
        if c_n is not None:
            arrays["c_n"] = c_n.numpy()

        cfg = rnn_config(kind, module)
        sd = {k: v.numpy() for k, v in module.state_dict().items()}
        y, hn, cn = keras_stack(cfg, sd, x.astype(np.float64))
        err = max(assert_close(name, "output", y, arrays["expected"]),
                  assert_close(name, "h_n", hn, arrays["h_n"]))
        if cn is not None:
            err = max(err, assert_close(name, "c_n", cn, arrays["c_n"]))

        dirs = 2 if cfg["bidirectional"] else 1
        doc = {"generated_by": GENERATED_BY, "name": name, "description": description,
               "config": cfg,
               "state_dict_keys": expected_keys(cfg),
               "shapes": {"input": [B, T, F], "expected": [B, T, H * dirs],
                          "h_n": [cfg["num_layers"] * dirs, B, H]}
                         | ({"c_n": [cfg["num_layers"] * dirs, B, H]} if kind == "LSTM" else {}),
               "keras": KERAS_RULES[kind] | {"stacking": STACKING},
               "check": {"keras_formulas_float64_max_abs_error": err, "tolerance": TOL}}
        return write_case(name, module, x, arrays, doc), err
    return name, make


class EmbeddingLSTMLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        self.lstm = nn.LSTM(EMBED, H, batch_first=True)
        self.fc = nn.Linear(H, CLASSES)

    def forward(self, ids):
        return self.fc(self.lstm(self.embedding(ids))[0][:, -1, :])


def embedding_case(name):
    def make():
        rng = common.case_rng(name)
        model = EmbeddingLSTMLinear().eval()
        seed_parameters(model, rng)
        ids = rng.integers(0, VOCAB, (B, T), dtype=np.int64)
        with torch.no_grad():
            out = model(torch.from_numpy(ids)).numpy()

        sd = {k: v.numpy() for k, v in model.state_dict().items()}
        lstm_cfg = rnn_config("LSTM", model.lstm)
        emb = sd["embedding.weight"].astype(np.float64)          # Keras Embedding embeddings
        seq, _, _ = keras_stack(lstm_cfg, sd, emb[ids], prefix="lstm.")
        dense_kernel = sd["fc.weight"].astype(np.float64).T        # Keras Dense kernel [4, 2]
        ref = seq[:, -1, :] @ dense_kernel + sd["fc.bias"]
        err = assert_close(name, "output", ref, out)

        keys = ["embedding.weight"] + expected_keys(lstm_cfg, "lstm.") + ["fc.weight", "fc.bias"]
        doc = {"generated_by": GENERATED_BY, "name": name,
               "description": "fc(lstm(embedding(ids))[0][:, -1, :]); ids int64 [4, 6] in [0, 30)",
               "config": {"module": "Model",
                          "forward": "fc(lstm(embedding(ids))[0][:, -1, :])",
                          "parts": [
                              {"name": "embedding", "module": "Embedding",
                               "num_embeddings": VOCAB, "embedding_dim": EMBED},
                              {"name": "lstm"} | lstm_cfg,
                              {"name": "fc", "module": "Linear", "in_features": H,
                               "out_features": CLASSES, "bias": True}]},
               "state_dict_keys": keys,
               "shapes": {"input": [B, T], "expected": [B, CLASSES]},
               "keras": {"layers": [
                   {"part": "embedding", "keras_layer": "Embedding(30, 5)",
                    "embeddings": "embedding.weight (same matrix)"},
                   {"part": "lstm", "keras_layer": "LSTM(4) (return_sequences=False: the last step)"}
                   | {k: v for k, v in KERAS_RULES["LSTM"].items() if k != "keras_layer"},
                   {"part": "fc", "keras_layer": "Dense(2)",
                    "kernel": "fc.weight.T", "bias": "fc.bias"}]},
               "check": {"keras_formulas_float64_max_abs_error": err, "tolerance": TOL}}
        return write_case(name, model, ids, {"expected": out}, doc), err
    return name, make


CASES = [
    recurrent_case("lstm_1layer", "LSTM", "nn.LSTM(3, 4, batch_first=True)",
                   input_size=F, hidden_size=H, batch_first=True),
    recurrent_case("lstm_2layer_bidirectional", "LSTM",
                   "nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)",
                   input_size=F, hidden_size=H, num_layers=2, bidirectional=True, batch_first=True),
    recurrent_case("gru_1layer", "GRU", "nn.GRU(3, 4, batch_first=True)",
                   input_size=F, hidden_size=H, batch_first=True),
    recurrent_case("gru_bidirectional", "GRU", "nn.GRU(3, 4, bidirectional=True, batch_first=True)",
                   input_size=F, hidden_size=H, bidirectional=True, batch_first=True),
    recurrent_case("rnn_tanh", "RNN", "nn.RNN(3, 4, batch_first=True)",
                   input_size=F, hidden_size=H, batch_first=True),
    recurrent_case("rnn_relu", "RNN", 'nn.RNN(3, 4, nonlinearity="relu", num_layers=2, batch_first=True)',
                   input_size=F, hidden_size=H, nonlinearity="relu", num_layers=2, batch_first=True),
    recurrent_case("lstm_no_bias", "LSTM", "nn.LSTM(3, 4, bias=False, batch_first=True)",
                   input_size=F, hidden_size=H, bias=False, batch_first=True),
    recurrent_case("lstm_time_major", "LSTM",
                   "nn.LSTM(3, 4) (batch_first=False): fed input.npy transposed to [T, B, F]; "
                   "expected.npy transposed back to batch-first [B, T, H]",
                   input_size=F, hidden_size=H, batch_first=False),
    embedding_case("embedding_lstm_linear"),
]


def main(argv):
    torch.set_num_threads(1)
    torch.manual_seed(0)  # irrelevant (every parameter is overwritten), but fixed anyway
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    names = [n for n, _ in CASES]
    wanted = common.wanted_cases(names, argv)
    written = set()
    for name, make in CASES:
        if name in wanted:
            files, err = make()
            written.update(files)
            print(f"{name}: max |Keras formulas (float64) - PyTorch| = {err:.2e}; "
                  + ", ".join(files))
    if not argv:
        for stale in OUT_DIR.iterdir():
            if stale.name not in written:
                stale.unlink()
                print(f"removed stale {stale.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
