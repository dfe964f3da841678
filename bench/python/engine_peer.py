"""The plain PyTorch eager peer of `asyncrl bench --only engine-decode`: the same Qwen2.5-0.5B-shaped model
(random weights, float32) and the same workload (prompts of 32 tokens, 16 timed decode steps after three
warm-up steps, batch 8 and 32; an untimed round, then three rounds interleaving top_p 1.0 and 0.95, best of
each), written the way an eager Hugging Face-style loop does it: a KV cache grown with torch.cat, logits to
probabilities, top-p by sorting, torch.multinomial. Run it under the glibc malloc settings that ./asyncrl
exports (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_) for a like-for-like comparison.

    apt-get install python3-torch libopenblas0-pthread     # OpenBLAS, or torch runs reference BLAS
    /usr/bin/python3 bench/python/engine_peer.py [--threads 2]
"""

import argparse
import math
import time

import torch

VOCAB, HIDDEN, LAYERS, HEADS, KV, INTER, THETA, EPS = 151936, 896, 24, 14, 2, 4864, 1e6, 1e-6
DH = HIDDEN // HEADS
PROMPT, DECODE = 32, 16


def bandwidth():
    x = torch.ones(1 << 28)
    best = float("inf")
    for _ in range(6):
        t0 = time.perf_counter()
        x.sum().item()
        best = min(best, time.perf_counter() - t0)
    return 4 * (1 << 28) / best


def weights(seed=1):
    g = torch.Generator().manual_seed(seed)

    def normal(*shape):
        return torch.randn(*shape, generator=g) * 0.02

    w = {"embed": normal(VOCAB, HIDDEN), "norm": torch.ones(HIDDEN), "layers": []}
    for _ in range(LAYERS):
        w["layers"].append(dict(
            ln1=torch.ones(HIDDEN), ln2=torch.ones(HIDDEN),
            q=normal(HEADS * DH, HIDDEN), qb=torch.zeros(HEADS * DH),
            k=normal(KV * DH, HIDDEN), kb=torch.zeros(KV * DH),
            v=normal(KV * DH, HIDDEN), vb=torch.zeros(KV * DH),
            o=normal(HIDDEN, HEADS * DH),
            gate=normal(INTER, HIDDEN), up=normal(INTER, HIDDEN), down=normal(HIDDEN, INTER)))
    return w


def rms(x, weight):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS))


def rotary(positions):
    inv = 1.0 / (THETA ** (torch.arange(0, DH, 2, dtype=torch.float32) / DH))
    angles = positions[:, None].float() * inv[None, :]
    angles = torch.cat([angles, angles], -1)
    return angles.cos()[None, None], angles.sin()[None, None]


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], -1) * sin


def forward(w, tokens, cache, start):
    b, s = tokens.shape
    x = torch.nn.functional.embedding(tokens, w["embed"])
    cos, sin = (t.to(x.dtype) for t in rotary(torch.arange(start, start + s)))
    for i, layer in enumerate(w["layers"]):
        h = rms(x, layer["ln1"])
        q = torch.nn.functional.linear(h, layer["q"], layer["qb"]).view(b, s, HEADS, DH).transpose(1, 2)
        k = torch.nn.functional.linear(h, layer["k"], layer["kb"]).view(b, s, KV, DH).transpose(1, 2)
        v = torch.nn.functional.linear(h, layer["v"], layer["vb"]).view(b, s, KV, DH).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        if cache[i] is not None:
            k = torch.cat([cache[i][0], k], 2)
            v = torch.cat([cache[i][1], v], 2)
        cache[i] = (k, v)
        k = k.repeat_interleave(HEADS // KV, 1)
        v = v.repeat_interleave(HEADS // KV, 1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(DH)
        if s > 1:
            t = k.shape[2]
            scores = scores + torch.full((s, t), float("-inf"), dtype=scores.dtype).triu(t - s + 1)
        attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, HIDDEN)
        x = x + torch.nn.functional.linear(attended, layer["o"])
        h = rms(x, layer["ln2"])
        x = x + torch.nn.functional.linear(torch.nn.functional.silu(torch.nn.functional.linear(h, layer["gate"]))
                                           * torch.nn.functional.linear(h, layer["up"]), layer["down"])
    return torch.nn.functional.linear(rms(x, w["norm"]), w["embed"])


def sample(logits, top_p):
    probs = logits.float().softmax(-1)
    if top_p < 1.0:
        sorted_probs, order = probs.sort(-1, descending=True)
        keep = sorted_probs.cumsum(-1) - sorted_probs < top_p
        sorted_probs = sorted_probs * keep
        choice = torch.multinomial(sorted_probs, 1)
        token = order.gather(-1, choice)
    else:
        token = torch.multinomial(probs, 1)
    return token, probs.log().gather(-1, token)


@torch.inference_mode()
def decode_tokens_per_second(w, batch, top_p):
    torch.manual_seed(5)
    tokens = torch.randint(0, VOCAB, (batch, PROMPT))
    cache = [None] * LAYERS
    logits = forward(w, tokens, cache, 0)[:, -1]
    token, _ = sample(logits, top_p)
    position = PROMPT
    for _ in range(3):  # warm-up steps
        token, _ = sample(forward(w, token, cache, position)[:, -1], top_p)
        position += 1
    t0 = time.perf_counter()
    for _ in range(DECODE):
        token, _ = sample(forward(w, token, cache, position)[:, -1], top_p)
        position += 1
    return batch * DECODE / (time.perf_counter() - t0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    bw = bandwidth()
    import os
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    print(f"peer: torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS {blas}")
    print(f"  memory read bandwidth (1 GiB sum): {bw / 1e9:.1f} GB/s")
    t0 = time.perf_counter()
    w = weights()
    params = VOCAB * HIDDEN + LAYERS * (2 * HIDDEN + (HEADS + 2 * KV) * DH * (HIDDEN + 1) + HIDDEN * HEADS * DH
                                        + 3 * HIDDEN * INTER) + HIDDEN
    print(f"  Qwen2.5-0.5B shape, {params:,} parameters, built in {time.perf_counter() - t0:.0f} s")
    for batch in (8, 32):
        # Interleaved like the Java side: an untimed round, then three rounds of both top_p values; best of each.
        best = {1.0: 0.0, 0.95: 0.0}
        for rnd in range(4):
            for top_p in (1.0, 0.95):
                tps = decode_tokens_per_second(w, batch, top_p)
                best[top_p] = 0.0 if rnd == 0 else max(best[top_p], tps)
        for top_p, tps in best.items():
            limit = bw / (4 * params) * batch
            print(f"  decode batch {batch:2d}, top_p {top_p:.2f}: {tps:7.1f} tokens/s ({1000 * batch / tps:.0f} ms/step)"
                  f" = {100 * tps / limit:4.1f}% of the bandwidth limit {limit:.0f} tokens/s")

if __name__ == "__main__":
    main()
