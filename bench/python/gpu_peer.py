"""The plain PyTorch eager peer of `asyncrl bench --only gpu`, on the same GPU: the Qwen2.5-0.5B-shaped model of
engine_peer.py (random weights), with
- decode: a float16 copy, prompts of 32 tokens, 16 timed steps after three warm-up steps, batch 64 and 256,
  best of three runs after an untimed one; the sampled tokens are read back to the host every step, as a
  rollout worker must to see which sequences ended (asyncrl does the same);
- the train step: 64 responses of 512 tokens in float32 with TF32 products, a GRPO-style token loss
  (-A * exp(lp - sg(lp)), summed over the mini-batch and divided by its token count), forward and backward 16
  responses at a time with the gradients accumulated, global-norm clip 1, torch.optim.AdamW; median of three
  after one warm-up. Model FLOPs utilisation as asyncrl reports it: 6 N per token of the dense TF32 peak.

    python3 bench/python/gpu_peer.py [--peak-tflops 494.7]
"""

import argparse
import statistics
import time

import torch

import engine_peer as m

ROWS, LENGTH, MICRO = 64, 512, 16


def on_gpu(w, dtype):
    return {k: (v.to("cuda", dtype) if torch.is_tensor(v) else [{n: t.to("cuda", dtype) for n, t in layer.items()}
                                                                for layer in v]) for k, v in w.items()}


def tensors(w):
    out = [w["embed"], w["norm"]]
    for layer in w["layers"]:
        out.extend(layer.values())
    return out


@torch.inference_mode()
def decode_once(w, batch):
    tokens = torch.randint(0, m.VOCAB, (batch, m.PROMPT))
    cache = [None] * m.LAYERS
    token, _ = m.sample(m.forward(w, tokens, cache, 0)[:, -1], 1.0)
    position = m.PROMPT
    for _ in range(3):  # warm-up steps
        token, _ = m.sample(m.forward(w, token, cache, position)[:, -1], 1.0)
        token.cpu()
        position += 1
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(m.DECODE):
        token, _ = m.sample(m.forward(w, token, cache, position)[:, -1], 1.0)
        token.cpu()
        position += 1
    return batch * m.DECODE / (time.perf_counter() - t0)


def train_step_seconds(w, runs=3):
    params = tensors(w)
    for p in params:
        p.requires_grad_(True)
    optimizer = torch.optim.AdamW(params, lr=1e-6, weight_decay=0.01)
    tokens = torch.randint(0, m.VOCAB, (ROWS, LENGTH))
    advantages = torch.randn(ROWS, 1)
    count = ROWS * (LENGTH - 1)

    def step():
        for r in range(0, ROWS, MICRO):
            t = tokens[r:r + MICRO]
            logits = m.forward(w, t[:, :-1], [None] * m.LAYERS, 0)
            lp = logits.log_softmax(-1).gather(-1, t[:, 1:, None]).squeeze(-1)
            del logits
            loss = -(torch.exp(lp - lp.detach()) * advantages[r:r + MICRO]).sum() / count
            loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        torch.cuda.synchronize()

    step()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), sum(p.numel() for p in params)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--peak-tflops", type=float, default=494.7)
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = True
    print(f"peer: torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    w = m.weights()
    torch.set_default_device("cuda")
    w16 = on_gpu(w, torch.float16)
    for batch in (64, 256):
        decode_once(w16, batch)
        tps = max(decode_once(w16, batch) for _ in range(3))
        print(f"  decode batch {batch:3d} (float16): {tps:,.0f} tokens/s")
    del w16
    seconds, n = train_step_seconds(on_gpu(w, torch.float32))
    tokens = ROWS * LENGTH
    mfu = 6.0 * n * tokens / seconds / (args.peak_tflops * 1e12)
    print(f"  train step, {ROWS} x {LENGTH} tokens (float32, micro-batches of {MICRO}): {seconds:.2f} s, "
          f"{tokens / seconds:,.0f} tokens/s, model FLOPs utilisation {100 * mfu:.0f}% of {args.peak_tflops:.0f} TFLOPS")
    print(f"  GPU memory at the peak: {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB allocated")


if __name__ == "__main__":
    main()
