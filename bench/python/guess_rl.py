"""Does plain policy-gradient RL teach the built-in model's shape the guessing game? An independent check.

It plays the game of configs/agent-guess.yaml with the model of guess_imitation.py: a hidden number in 1..32,
at most 6 guesses, feedback "+" (higher), "-" (lower) or "*" (not a number in range), and partial credit (an
episode that does not find the number earns half the share of the range its feedback ruled out, in bits; a
found number is worth 1). The model starts from random weights and is trained synchronously and on-policy:
each step samples 8 groups of 8 episodes (a group shares its hidden number) and takes one Adam step (lr 1e-3,
gradient norm clipped at 1) on LOOP's loss: leave-one-out advantages, each episode's token mean, summed and
divided by the batch's episodes, episodes with |A| < 0.01 left out. With one update per batch LOOP's clipped
ratio is 1, so the loss is the policy gradient.

Each option changes one thing:
  --advantage grpo       divide by the group's standard deviation instead (GRPO; per-episode token mean kept)
  --credit turn          credit each guess with the reward from that guess on, against the leave-one-out mean
                         of the same turn in the group, instead of the whole episode's reward
  --observation range    after each guess the environment states the candidates left ("17=32"), so the model
                         needs no memory of earlier turns (its context grows from 32 to 64 tokens to hold them)
  --reward success       no partial credit: 1 when found, else 0
  --init gpt2            asyncrl's initialisation (N(0, 0.02), GPT-2's) instead of PyTorch's module defaults
                         (token embeddings N(0, 1), linear layers uniform in ±1/sqrt(inputs))
  --token-std S          then redraw the token embeddings from N(0, S)

Every 100 steps it prints the solve rate of the last 20 steps' episodes and the share of 1..32 that greedy
play finds; at the end, greedy play's guesses for every hidden number (a space ends a guess).

    python3 bench/python/guess_rl.py [--steps 1000] [--seed 1] [--advantage loop] [--credit episode] ...
"""

import argparse
import math
import random
import time

import torch

from guess_imitation import ALPHABET, EOS, PAD, Gpt, encode

MAX_NEW_TOKENS = 3


class Game:
    """One episode: the hidden number, the candidates left, and the reward given so far."""

    def __init__(self, hidden, high, partial_credit, range_feedback):
        self.hidden, self.low, self.high, self.top = hidden, 1, high, high
        self.partial_credit, self.range_feedback = partial_credit, range_feedback
        self.credit = 0.0

    def opening(self):
        return f"1={self.top}" if self.range_feedback else f"{self.top}="

    def step(self, text):
        """(observation, reward, done) for a guess written as text."""
        guess = int(text) if text.isdigit() else -1
        if guess == self.hidden:
            reward, self.credit = 1 - self.credit, 1.0
            return None, reward, True
        if not 1 <= guess <= self.top:
            return "*", 0.0, False
        if self.hidden > guess:
            self.low, sign = max(self.low, guess + 1), "+"
        else:
            self.high, sign = min(self.high, guess - 1), "-"
        left = self.high - self.low + 1
        earned = 0.5 * (math.log(self.top) - math.log(left)) / math.log(self.top) if self.partial_credit else 0.0
        reward, self.credit = earned - self.credit, earned
        return (f"{self.low}={self.high}" if self.range_feedback else sign), reward, False


def decode(tokens):
    """The answer's text, as asyncrl decodes it: up to <eos>, a sampled <pad> read as "_" (so not a number)."""
    text = ""
    for t in tokens:
        if t == EOS:
            break
        text += ALPHABET[t - 2] if t >= 2 else "_"
    return text


@torch.no_grad()
def play(model, games, turns, greedy):
    """Plays the games in one batch. Per game: token ids, loss mask, turn index per token (-1 off the model's
    turns), the reward of each turn, whether it was found."""
    n = len(games)
    ids = [encode(g.opening()) for g in games]
    mask = [[0] * len(x) for x in ids]
    turn_of = [[-1] * len(x) for x in ids]
    rewards = [[] for _ in games]
    done = [False] * n
    for turn in range(turns):
        playing = [i for i in range(n) if not done[i]]
        if not playing:
            break
        answer = {i: [] for i in playing}
        for _ in range(MAX_NEW_TOKENS):
            open_ = [i for i in playing if not (answer[i] and answer[i][-1] == EOS)]
            if not open_:
                break
            rows = [ids[i] + answer[i] for i in open_]
            width = max(len(r) for r in rows)
            batch = torch.tensor([r + [PAD] * (width - len(r)) for r in rows])
            logits = model(batch)[torch.arange(len(rows)), torch.tensor([len(r) - 1 for r in rows])]
            drawn = logits.argmax(-1) if greedy else torch.multinomial(logits.softmax(-1), 1)[:, 0]
            for i, t in zip(open_, drawn.tolist()):
                answer[i].append(t)
        for i in playing:
            ids[i] += answer[i]
            mask[i] += [1] * len(answer[i])
            turn_of[i] += [turn] * len(answer[i])
            observation, reward, done[i] = games[i].step(decode(answer[i]))
            rewards[i].append(reward)
            if not done[i]:
                seen = encode(observation)
                ids[i] += seen
                mask[i] += [0] * len(seen)
                turn_of[i] += [-1] * len(seen)
    return ids, mask, turn_of, rewards, [g.credit >= 1 for g in games]


def leave_one_out(values, present):
    """values, present: [G, K, ...]; each value minus the mean of the present others of its group (0 if none)."""
    total = (values * present).sum(1, keepdim=True)
    count = present.sum(1, keepdim=True)
    others = (count - present).clamp(min=1)
    return torch.where(count - present > 0, values - (total - values * present) / others, torch.zeros_like(values))


def gpt2_init(model):
    """asyncrl's initialisation of the built-in model (GPT-2's): N(0, 0.02) for matrices and embeddings, with the
    projections into the residual stream at 0.02/sqrt(2 layers); zero biases, unit norm gains."""
    layers = len(model.blocks)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                p.fill_(1.0 if "norm" in name and name.endswith("weight") else 0.0)
            else:
                residual = name.endswith("out_proj.weight") or name.endswith("linear2.weight")
                p.normal_(0, 0.02 / math.sqrt(2 * layers) if residual else 0.02)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--advantage", choices=["loop", "grpo"], default="loop")
    parser.add_argument("--credit", choices=["episode", "turn"], default="episode")
    parser.add_argument("--observation", choices=["signs", "range"], default="signs")
    parser.add_argument("--reward", choices=["partial", "success"], default="partial")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--max", type=int, default=32)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--groups", type=int, default=8)
    parser.add_argument("--group-size", type=int, default=8)
    parser.add_argument("--init", choices=["torch", "gpt2"], default="torch")
    parser.add_argument("--token-std", type=float, default=0,
                        help="redraw the token embeddings from N(0, this) after either initialisation; 0 = keep")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.advantage == "grpo" and args.credit == "turn":
        parser.error("--advantage grpo works on whole episodes: use it with --credit episode")
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)
    ranges = args.observation == "range"
    model = Gpt(max_len=64 if ranges else 32)
    if args.init == "gpt2":
        gpt2_init(model)
    if args.token_std > 0:
        with torch.no_grad():
            model.tokens.weight.normal_(0, args.token_std)
    optimizer = torch.optim.Adam(model.parameters(), args.lr)
    g, k, n = args.groups, args.group_size, args.groups * args.group_size

    def games(hiddens):
        return [Game(h, args.max, args.reward == "partial", ranges) for h in hiddens]

    solved_history = []
    start = time.time()
    for step in range(1, args.steps + 1):
        hiddens = [h for h in (random.randint(1, args.max) for _ in range(g)) for _ in range(k)]
        model.eval()
        ids, mask, turn_of, rewards, found = play(model, games(hiddens), args.turns, greedy=False)
        model.train()
        if args.credit == "episode":
            values = torch.tensor([sum(r) for r in rewards]).view(g, k, 1)
            present = torch.ones_like(values)
        else:  # reward from each turn on; a turn the episode did not reach is absent
            values = torch.zeros(n, args.turns)
            present = torch.zeros(n, args.turns)
            for i, r in enumerate(rewards):
                for t in range(len(r)):
                    values[i, t] = sum(r[t:])
                    present[i, t] = 1
            values, present = values.view(g, k, -1), present.view(g, k, -1)
        if args.advantage == "grpo":
            advantage = (values - values.mean(1, keepdim=True)) / (values.std(1, keepdim=True) + 1e-6)
        else:
            advantage = leave_one_out(values, present)
        advantage = (advantage * present).view(n, -1)
        width = max(len(x) for x in ids)
        tokens = torch.tensor([x + [PAD] * (width - len(x)) for x in ids])
        trained = torch.tensor([x + [0] * (width - len(x)) for x in mask], dtype=torch.float)[:, 1:]
        turn_index = torch.tensor([x + [-1] * (width - len(x)) for x in turn_of])[:, 1:]
        per_token = advantage.gather(1, turn_index.clamp(min=0)) if args.credit == "turn" \
            else advantage.expand(-1, width - 1)
        keep = trained * (per_token.abs() >= 0.01) if args.advantage == "loop" else trained
        log_probs = model(tokens[:, :-1]).log_softmax(-1).gather(-1, tokens[:, 1:, None])[..., 0]
        loss = -((per_token * log_probs * keep).sum(1) / keep.sum(1).clamp(min=1)).sum() / n
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        solved_history.append(sum(found) / n)
        if step % 100 == 0 or step == args.steps:
            model.eval()
            greedy = sum(play(model, games(range(1, args.max + 1)), args.turns, greedy=True)[4]) / args.max
            recent = solved_history[-20:]
            print(f"step {step}: solve rate (last 20 steps) {sum(recent) / len(recent):.2f}, greedy play finds "
                  f"{greedy:.2f} of 1..{args.max} ({time.time() - start:.0f} s)", flush=True)
    model.eval()
    ids = play(model, games(range(1, args.max + 1)), args.turns, greedy=True)[0]
    for hidden, x in enumerate(ids, 1):
        print(f"{hidden:3d}: " + "".join(ALPHABET[t - 2] if t >= 2 else " " if t == EOS else "_" for t in x))


if __name__ == "__main__":
    main()
