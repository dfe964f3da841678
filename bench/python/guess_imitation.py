"""Can the built-in model's shape play the guessing game well? A capacity check, independent of asyncrl.

It trains a plain PyTorch model of the shape configs/agent-guess.yaml uses (token and learned position
embeddings, 2 pre-norm blocks of width 64 with 4 heads and a 4x GELU MLP, the built-in alphabet
"0123456789+-*=" after <pad> and <eos>) by imitation: teacher forcing on binary-search episodes of the game
(prompt "32=", each guess followed by <eos>, feedback "+" or "-"), with loss on the guesses only. It then
plays all 32 hidden numbers greedily, at most 6 guesses each, and prints the share found.

If this reaches 1.0 in a few hundred steps (it does on a 2-core machine: 200 steps of 64 episodes), the shape can
represent binary search, and what keeps reinforcement learning from it is the learning signal, not capacity.

    python3 bench/python/guess_imitation.py [--steps 400] [--max 32] [--turns 6]
"""

import argparse
import random
import time

import torch

ALPHABET = "0123456789+-*="
PAD, EOS = 0, 1
VOCAB = 2 + len(ALPHABET)


def encode(text):
    return [2 + ALPHABET.index(c) for c in text]


def binary_search_episode(hidden, high, turns):
    """Token ids and loss mask (1 on the guesses and their <eos>) of binary search finding `hidden`."""
    tokens = encode(f"{high}=")
    mask = [0] * len(tokens)
    low = 1
    for _ in range(turns):
        guess = (low + high) // 2
        turn = encode(str(guess)) + [EOS]
        tokens += turn
        mask += [1] * len(turn)
        if guess == hidden:
            break
        if hidden > guess:
            low, feedback = guess + 1, "+"
        else:
            high, feedback = guess - 1, "-"
        tokens += encode(feedback)
        mask += [0]
    return tokens, mask


class Gpt(torch.nn.Module):
    def __init__(self, d_model=64, layers=2, heads=4, max_len=32):
        super().__init__()
        self.tokens = torch.nn.Embedding(VOCAB, d_model)
        self.positions = torch.nn.Parameter(torch.randn(max_len, d_model) * 0.02)
        self.blocks = torch.nn.ModuleList(
            torch.nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, 0.0, activation="gelu", batch_first=True,
                                             norm_first=True) for _ in range(layers))
        self.norm = torch.nn.LayerNorm(d_model)
        self.head = torch.nn.Linear(d_model, VOCAB)

    def forward(self, ids):
        steps = ids.shape[1]
        causal = torch.triu(torch.full((steps, steps), float("-inf")), 1)
        h = self.tokens(ids) + self.positions[:steps]
        for block in self.blocks:
            h = block(h, src_mask=causal)
        return self.head(self.norm(h))


@torch.no_grad()
def play(model, hidden, high, turns, max_new_tokens=3):
    """Greedy play: whether `hidden` is found within `turns` guesses."""
    tokens = encode(f"{high}=")
    for _ in range(turns):
        turn = []
        for _ in range(max_new_tokens):
            nxt = model(torch.tensor([tokens + turn]))[0, -1].argmax().item()
            turn.append(nxt)
            if nxt == EOS:
                break
        tokens += turn
        text = "".join(ALPHABET[i - 2] for i in turn if i >= 2)
        guess = int(text) if text.isdigit() else -1
        if guess == hidden:
            return True
        tokens += encode("+" if hidden > guess else "-")
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--max", type=int, default=32)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(2)
    model = Gpt()
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    start = time.time()
    for step in range(1, args.steps + 1):
        batch = [binary_search_episode(random.randint(1, args.max), args.max, args.turns) for _ in range(64)]
        width = max(len(t) for t, _ in batch)
        ids = torch.tensor([t + [PAD] * (width - len(t)) for t, _ in batch])
        mask = torch.tensor([m + [0] * (width - len(m)) for _, m in batch], dtype=torch.float)[:, 1:]
        log_probs = model(ids[:, :-1]).log_softmax(-1).gather(-1, ids[:, 1:, None])[..., 0]
        loss = -(log_probs * mask).sum() / mask.sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0 or step == args.steps:
            model.eval()
            found = sum(play(model, h, args.max, args.turns) for h in range(1, args.max + 1)) / args.max
            model.train()
            print(f"step {step}: loss {loss.item():.4f}, greedy play finds {found:.2f} of 1..{args.max} "
                  f"within {args.turns} guesses ({time.time() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
