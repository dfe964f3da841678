"""Reference chat-template renders: Python Jinja2 configured the way Hugging Face transformers'
apply_chat_template configures it (an immutable sandbox with trim_blocks and lstrip_blocks, the loop-control
and {% generation %} extensions, a tojson filter that does not escape HTML, raise_exception and strftime_now).

Independent of asyncrl: it uses only Debian's python3-jinja2. strftime_now answers for a fixed date so
goldens do not change with the calendar.

    /usr/bin/python3 chat_reference.py CASES.json > RENDERS.json

CASES.json: {"templates": {name: {"chat_template", "bos_token", "eos_token"}}, "conversations": {name: {...}},
"cases": [[template, conversation, add_generation_prompt], ...]}. A conversation holds "messages" and, when
used, "tools" and extra template variables ("extra"). Each render is {"text": ...} or {"error": ...} (the
message of raise_exception, or of any other failure).
"""

import datetime
import json
import sys

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime.datetime(2026, 11, 29, 12, 0, 0)


class TemplateError(Exception):
    pass


def raise_exception(message):
    raise TemplateError(message)


def strftime_now(fmt):
    return FIXED_NOW.strftime(fmt)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


class Generation(Extension):
    """{% generation %}...{% endgeneration %} marks assistant text; it renders its body unchanged."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[Generation, "jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, template, conversation, add_generation_prompt):
    variables = dict(conversation.get("extra", {}))
    variables.update(messages=conversation["messages"], tools=conversation.get("tools"),
                     add_generation_prompt=add_generation_prompt,
                     bos_token=template.get("bos_token") or "", eos_token=template.get("eos_token") or "")
    try:
        return {"text": env.from_string(template["chat_template"]).render(**variables)}
    except TemplateError as e:
        return {"error": str(e)}
    except jinja2.TemplateError as e:
        return {"error": type(e).__name__ + ": " + str(e)}
    except Exception as e:  # a template that fails on Python values, e.g. a missing key
        return {"error": type(e).__name__ + ": " + str(e)}


def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    env = environment()
    out = []
    for template_name, conversation_name, add_generation_prompt in spec["cases"]:
        result = render(env, spec["templates"][template_name], spec["conversations"][conversation_name],
                        add_generation_prompt)
        out.append(dict(template=template_name, conversation=conversation_name,
                        add_generation_prompt=add_generation_prompt, **result))
    json.dump({"jinja2": jinja2.__version__, "renders": out}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
