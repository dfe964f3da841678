#!/usr/bin/python3
"""Golden logits for asyncrl's Llama-family forward, from an independent PyTorch implementation.

Writes model/src/test/resources/golden/llama-goldens.json: for each case its config.json, how the test
stores the weights (dtype, shards), the token ids, and the logits this script computes. The weights are
not stored: both this script and LlamaGoldenTest compute them from the same formula (`weight` below), so the
test builds a real checkpoint folder itself and compares what asyncrl loads and computes with these numbers.

Regenerate (Debian's python3-torch; nothing else is needed):
    /usr/bin/python3 model/src/test/python/llama_goldens.py > model/src/test/resources/golden/llama-goldens.json

The forward below follows Hugging Face transformers' modeling_llama.py / modeling_qwen2.py and
modeling_rope_utils.py, written out here with plain torch ops.
"""
import json
import math
import sys

import torch

torch.set_grad_enabled(False)


def seed_of(name):
    return sum((i + 1) * ord(ch) for i, ch in enumerate(name)) % 10007


def weight(name, shape):
    """The deterministic 'random' weights both sides use (float64 math, then float32)."""
    n = 1
    for d in shape:
        n *= d
    j = torch.arange(n, dtype=torch.float64)
    s = seed_of(name)
    wave = torch.sin(0.731 * j + 0.0137 * s) * torch.cos(0.1337 * j + 0.5 * s)
    if name.endswith("norm.weight"):
        v = 1.0 + 0.1 * wave
    elif name.endswith(".bias"):
        v = 0.05 * wave
    else:
        v = 0.15 * wave
    return v.to(torch.float32).reshape(shape)


def parameter_shapes(c):
    d, q = c["hidden_size"], c["num_attention_heads"] * c["head_dim"]
    kv, f = c["num_key_value_heads"] * c["head_dim"], c["intermediate_size"]
    qwen2 = c["architectures"][0] == "Qwen2ForCausalLM"
    qkv_bias = qwen2 or c.get("attention_bias", False)
    o_bias = (not qwen2) and c.get("attention_bias", False)
    p = {"model.embed_tokens.weight": (c["vocab_size"], d)}
    for l in range(c["num_hidden_layers"]):
        b = f"model.layers.{l}."
        p[b + "input_layernorm.weight"] = (d,)
        p[b + "self_attn.q_proj.weight"] = (q, d)
        p[b + "self_attn.k_proj.weight"] = (kv, d)
        p[b + "self_attn.v_proj.weight"] = (kv, d)
        if qkv_bias:
            p[b + "self_attn.q_proj.bias"] = (q,)
            p[b + "self_attn.k_proj.bias"] = (kv,)
            p[b + "self_attn.v_proj.bias"] = (kv,)
        p[b + "self_attn.o_proj.weight"] = (d, q)
        if o_bias:
            p[b + "self_attn.o_proj.bias"] = (d,)
        p[b + "post_attention_layernorm.weight"] = (d,)
        p[b + "mlp.gate_proj.weight"] = (f, d)
        p[b + "mlp.up_proj.weight"] = (f, d)
        p[b + "mlp.down_proj.weight"] = (d, f)
    p["model.norm.weight"] = (d,)
    if not c.get("tie_word_embeddings", False):
        p["lm_head.weight"] = (c["vocab_size"], d)
    return p


def inv_freq(c):
    dim, base = c["head_dim"], c["rope_theta"]
    inv = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    rs = c.get("rope_scaling")
    scale = 1.0
    if rs is None:
        return inv, scale
    kind = rs.get("rope_type", rs.get("type"))
    if kind == "linear":
        return inv / rs["factor"], scale
    if kind == "llama3":
        factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_wl, high_wl = old / low, old / high
        wavelen = 2 * math.pi / inv
        out = torch.where(wavelen > low_wl, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * out / factor + smooth * out
        medium = ~(wavelen < high_wl) * ~(wavelen > low_wl)
        return torch.where(medium, smoothed, out), scale
    if kind == "yarn":
        factor = rs["factor"]
        old = rs.get("original_max_position_embeddings", c["max_position_embeddings"])
        scale = rs.get("attention_factor", 0.1 * math.log(factor) + 1.0 if factor > 1 else 1.0)
        beta_fast, beta_slow = rs.get("beta_fast", 32), rs.get("beta_slow", 1)

        def corr(rot):
            return (dim * math.log(old / (rot * 2 * math.pi))) / (2 * math.log(base))

        low = max(math.floor(corr(beta_fast)), 0)
        high = min(math.ceil(corr(beta_slow)), dim - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
        extrapolation = 1 - ramp
        pos_freqs = base ** (torch.arange(0, dim, 2).float() / dim)
        inv = (1.0 / (factor * pos_freqs)) * (1 - extrapolation) + (1.0 / pos_freqs) * extrapolation
        return inv, scale
    raise ValueError(kind)


def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def forward(c, w, ids):
    B, S = ids.shape
    H, KV, dh = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
    x = w["model.embed_tokens.weight"][ids]
    inv, scale = inv_freq(c)
    pos = torch.arange(S, dtype=torch.float32)
    freqs = pos[:, None] * inv[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos() * scale, emb.sin() * scale
    causal = torch.full((S, S), float("-inf")).triu(1)
    eps = c["rms_norm_eps"]
    for l in range(c["num_hidden_layers"]):
        b = f"model.layers.{l}."

        def lin(t, name):
            out = t @ w[b + name + ".weight"].T
            bias = w.get(b + name + ".bias")
            return out if bias is None else out + bias

        h = rms_norm(x, w[b + "input_layernorm.weight"], eps)
        q = lin(h, "self_attn.q_proj").view(B, S, H, dh).transpose(1, 2)
        k = lin(h, "self_attn.k_proj").view(B, S, KV, dh).transpose(1, 2)
        v = lin(h, "self_attn.v_proj").view(B, S, KV, dh).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(dh) + causal
        o = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, S, H * dh)
        x = x + lin(o, "self_attn.o_proj")
        h = rms_norm(x, w[b + "post_attention_layernorm.weight"], eps)
        gate, up = lin(h, "mlp.gate_proj"), lin(h, "mlp.up_proj")
        x = x + lin(torch.nn.functional.silu(gate) * up, "mlp.down_proj")
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T


CASES = [
    {
        "name": "qwen2-bf16-sharded",
        "storage": "BF16",
        "max_shard_bytes": 40000,
        "config": {
            "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 96, "hidden_size": 64,
            "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
            "head_dim": 16, "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
            "max_position_embeddings": 128, "tie_word_embeddings": True, "bos_token_id": 1, "eos_token_id": 2,
        },
    },
    {
        "name": "llama3-f32",
        "storage": "F32",
        "max_shard_bytes": 1 << 30,
        "config": {
            "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 96, "hidden_size": 64,
            "intermediate_size": 160, "num_hidden_layers": 2, "num_attention_heads": 8, "num_key_value_heads": 2,
            "head_dim": 8, "hidden_act": "silu", "rms_norm_eps": 1e-5, "rope_theta": 500000.0,
            "max_position_embeddings": 128, "tie_word_embeddings": False, "attention_bias": False,
            "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                             "original_max_position_embeddings": 512},
            "bos_token_id": 1, "eos_token_id": [2, 3],
        },
    },
    {
        "name": "qwen2-yarn-f32-sharded",
        "storage": "F32",
        "max_shard_bytes": 60000,
        "config": {
            "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 96, "hidden_size": 48,
            "intermediate_size": 96, "num_hidden_layers": 3, "num_attention_heads": 6, "num_key_value_heads": 3,
            "head_dim": 8, "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
            "max_position_embeddings": 128, "tie_word_embeddings": False,
            "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32},
            "eos_token_id": 2,
        },
    },
]

TOKENS = [[5, 17, 42, 8, 91, 33, 60, 2, 77, 14, 50, 23], [11, 3, 95, 64, 27, 7, 88, 45, 19, 70, 36, 1]]


def main():
    out = {"tokens": TOKENS, "cases": []}
    ids = torch.tensor(TOKENS, dtype=torch.int64)
    for case in CASES:
        c = dict(case["config"])
        c.setdefault("head_dim", c["hidden_size"] // c["num_attention_heads"])
        w = {}
        for name, shape in parameter_shapes(c).items():
            t = weight(name, shape)
            if case["storage"] == "BF16":
                t = t.to(torch.bfloat16).to(torch.float32)
            w[name] = t
        logits = forward(c, w, ids)
        out["cases"].append({**case, "logits": [[[round(float(v), 7) for v in pos] for pos in row] for row in logits]})
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
