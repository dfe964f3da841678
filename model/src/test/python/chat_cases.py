"""The chat-template golden cases: every template in FOLDER/<model>/package/models/tokenizer_config.json,
each over every conversation below, with add_generation_prompt true and false. Writes the cases JSON that
chat_reference.py renders."""

import json
import os
import sys

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City name, e.g. \"Paris\""},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"]}}}

SYSTEM = {"role": "system", "content": "You are a careful math tutor."}
ASK = {"role": "user", "content": "What is 2 + 3?"}
ANSWER = {"role": "assistant", "content": "2 + 3 = 5."}
FOLLOW_UP = {"role": "user", "content": "And 5 × 7?"}

CONVERSATIONS = {
    "user": {"messages": [ASK]},
    "system_user": {"messages": [SYSTEM, ASK]},
    "multi_turn": {"messages": [SYSTEM, ASK, ANSWER, FOLLOW_UP]},
    "ends_with_assistant": {"messages": [ASK, ANSWER]},
    "tools": {"messages": [{"role": "user", "content": "What's the weather in Paris?"}], "tools": [WEATHER_TOOL]},
    "tool_call": {"tools": [WEATHER_TOOL], "messages": [
        {"role": "system", "content": "Use tools when they help."},
        {"role": "user", "content": "What's the weather in Paris?"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "call12345", "type": "function", "function": {
            "name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}]},
        {"role": "tool", "tool_call_id": "call12345", "name": "get_weather", "content": "{\"temperature\": 21.5}"},
        {"role": "assistant", "content": "It is 21.5 °C in Paris."},
        {"role": "user", "content": "Thanks!"}]},
    "template_syntax_in_content": {"messages": [
        {"role": "system", "content": "Write {{ not jinja }} literally; {% if x %} is text, {# too #}."},
        {"role": "user", "content": "Simplify x^{{2}} + {{x}} for x = 3. C++: int main() { return {0}; }"}]},
    "unicode_and_whitespace": {"messages": [
        {"role": "user", "content": "  Café — 東京 🙂 naïve\n\tindented\n  "}]},
    "thinking_disabled": {"messages": [ASK], "extra": {"enable_thinking": False}},
    "reasoning": {"messages": [ASK, {"role": "assistant", "content": "5",
                                     "reasoning_content": "Two plus three is five."}, FOLLOW_UP]},
}


def main():
    folder = sys.argv[1]
    templates = {}
    for model in sorted(os.listdir(folder)):
        path = os.path.join(folder, model, "package", "models", "tokenizer_config.json")
        if not os.path.isfile(path):
            continue
        config = json.load(open(path, encoding="utf-8"))

        def token(t):
            return t.get("content") if isinstance(t, dict) else t

        templates[model] = {"chat_template": config["chat_template"], "bos_token": token(config.get("bos_token")),
                            "eos_token": token(config.get("eos_token"))}
    cases = [[t, c, agp] for t in templates for c in CONVERSATIONS for agp in (True, False)]
    json.dump({"templates": templates, "conversations": CONVERSATIONS, "cases": cases}, sys.stdout,
              ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
