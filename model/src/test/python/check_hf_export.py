#!/usr/bin/env python3
"""Checks an HfBertExport folder against the DL4J model's own outputs, with no transformers library.

Usage: check_hf_export.py CASE_DIR [TOLERANCE]

CASE_DIR holds hf/ (config.json, model.safetensors, vocab.txt as written by dev.pretrain.model.export.HfBertExport)
and case.json (written by HfBertExportTest): input_ids, segment_ids, input_mask [batch][seqLen], masked_lm_positions
[batch][predictions], and the DL4J graph's outputs on them: sequence_output [batch][seqLen][hidden] (last encoder
layer), mlm_log_probs [batch][predictions][vocab] (log-softmax of the MLM logits at masked_lm_positions) and
nsp_log_probs [batch][2]. Logits are compared after log-softmax because the DL4J graph outputs softmax
probabilities (logits are defined up to a constant per row).

The forward pass below is a plain PyTorch BertForPreTraining (Devlin et al. 2019, HF transformers' modeling_bert
names and semantics: post-LN blocks, attention mask added as (1 - mask) * dtype-min, pooler = tanh(dense([CLS])),
MLM head = dense + act + LayerNorm + decoder + bias), reading the config's hidden_act and layer_norm_eps.
Prints the maximum absolute difference per output and exits 1 if any exceeds TOLERANCE (default 1e-4).
"""
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    """Minimal safetensors reader: u64 LE header size, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        dt = np.dtype(DTYPES[info["dtype"]]).newbyteorder("<")
        arr = np.frombuffer(data[b:e], dtype=dt).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True))
    return header.get("__metadata__"), out


def act(name):
    if name == "gelu":
        return lambda x: F.gelu(x)  # erf form
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if name == "relu":
        return F.relu
    raise ValueError("unsupported hidden_act " + name)


def bert_for_pretraining(cfg, w, input_ids, segment_ids, input_mask):
    """Returns sequence_output [b, T, H], prediction logits [b, T, V], seq_relationship logits [b, 2]."""
    eps = cfg["layer_norm_eps"]
    H, A = cfg["hidden_size"], cfg["num_attention_heads"]
    d = H // A
    g = act(cfg["hidden_act"])
    lin = lambda x, p: F.linear(x, w[p + ".weight"], w[p + ".bias"])
    ln = lambda x, p: F.layer_norm(x, (H,), w[p + ".weight"], w[p + ".bias"], eps)
    b, T = input_ids.shape
    pos = torch.arange(T).unsqueeze(0)
    x = (w["bert.embeddings.word_embeddings.weight"][input_ids]
         + w["bert.embeddings.position_embeddings.weight"][pos]
         + w["bert.embeddings.token_type_embeddings.weight"][segment_ids])
    x = ln(x, "bert.embeddings.LayerNorm")
    ext = (1.0 - input_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min  # [b, 1, 1, T]
    heads = lambda t: t.view(b, T, A, d).transpose(1, 2)  # [b, A, T, d]
    for i in range(cfg["num_hidden_layers"]):
        p = "bert.encoder.layer.%d." % i
        q = heads(lin(x, p + "attention.self.query"))
        k = heads(lin(x, p + "attention.self.key"))
        v = heads(lin(x, p + "attention.self.value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + ext
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, T, H)
        x = ln(lin(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        ff = lin(g(lin(x, p + "intermediate.dense")), p + "output.dense")
        x = ln(ff + x, p + "output.LayerNorm")
    pooled = torch.tanh(lin(x[:, 0], "bert.pooler.dense"))
    t = ln(g(lin(x, "cls.predictions.transform.dense")), "cls.predictions.transform.LayerNorm")
    decoder_w = w.get("cls.predictions.decoder.weight", w["bert.embeddings.word_embeddings.weight"])
    mlm = F.linear(t, decoder_w) + w["cls.predictions.bias"]
    nsp = lin(pooled, "cls.seq_relationship")
    return x, mlm, nsp


def main():
    case_dir = sys.argv[1]
    tol = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-4
    with open(case_dir + "/hf/config.json") as f:
        cfg = json.load(f)
    meta, w = read_safetensors(case_dir + "/hf/model.safetensors")
    assert meta and meta.get("format") == "pt", "missing __metadata__ format=pt: %r" % (meta,)
    with open(case_dir + "/case.json") as f:
        case = json.load(f)
    ids = torch.tensor(case["input_ids"], dtype=torch.long)
    seg = torch.tensor(case["segment_ids"], dtype=torch.long)
    mask = torch.tensor(case["input_mask"], dtype=torch.long)
    positions = torch.tensor(case["masked_lm_positions"], dtype=torch.long)
    assert w["bert.embeddings.word_embeddings.weight"].shape == (cfg["vocab_size"], cfg["hidden_size"])
    with torch.no_grad():
        seq, mlm, nsp = bert_for_pretraining(cfg, w, ids, seg, mask)
        gathered = torch.gather(mlm, 1, positions[:, :, None].expand(-1, -1, mlm.shape[-1]))  # [b, P, V]
        got = {"sequence_output": seq, "mlm_log_probs": gathered.log_softmax(-1), "nsp_log_probs": nsp.log_softmax(-1)}
    worst = 0.0
    for key, val in got.items():
        exp = torch.tensor(case[key], dtype=torch.float32)
        if exp.shape != val.shape:
            print("HF-EXPORT-CHECK %s: shape %s, expected %s" % (key, tuple(val.shape), tuple(exp.shape)))
            return 1
        diff = (val - exp).abs().max().item()
        worst = max(worst, diff)
        print("HF-EXPORT-CHECK %s shape=%s max_abs_diff=%.3g" % (key, tuple(val.shape), diff))
    print("HF-EXPORT-CHECK tensors=%d max_abs_diff=%.3g tolerance=%g %s"
          % (len(w), worst, tol, "OK" if worst <= tol else "FAIL"))
    return 0 if worst <= tol else 1


if __name__ == "__main__":
    sys.exit(main())
