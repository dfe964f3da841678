"""Renders small templates, one per Jinja2 behaviour a chat template relies on, with chat_reference.py's
environment (Debian python3-jinja2); the Java engine must reproduce each render.

    /usr/bin/python3 jinja_semantics.py > ../resources/golden/jinja-semantics.json
"""
import json
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat_reference as ref
env = ref.environment()
cases = [
 ("lstrip only at line start", "a {% if true %}x{% endif %}\n  {% if true %}y{% endif %}\nz", {}),
 ("trim_blocks removes one newline", "{% if true %}\nA\n{% endif %}\n\nB", {}),
 ("plus disables lstrip and trim", "  {%+ if true +%}\nA{% endif %}", {}),
 ("minus strips all whitespace", "x  \n {%- if true -%}  \n y {{- ' z ' -}}  \n w{% endif %}", {}),
 ("not binds looser than is", "{{ not x is defined }}|{{ not (x is defined) }}|{{ (not x) is defined }}", {}),
 ("content is data", "{{ m }}|{{ m | trim }}", {"m": "{{ 1 + 1 }} {% if %} x^{{2}}"}),
 ("python printing", "{{ none }}|{{ true }}|{{ 1.0 }}|{{ 1e20 }}|{{ 0.1 + 0.2 }}|{{ [1, 'a', none] }}|{{ {'k': [1.5]} }}|{{ (1,) }}|{{ 7 // 2 }}|{{ -7 % 3 }}|{{ 2 ** 10 }}|{{ 3 / 2 }}", {}),
 ("string methods", "{{ 'Hello World'.startswith(('x', 'He')) }}|{{ '  a b  '.strip() }}|{{ 'xxabcxx'.lstrip('x') }}|{{ 'a,b,,c'.split(',') }}|{{ 'hello wORLD'.title() }}|{{ 'abc'[::-1] }}|{{ 'abcdef'[1:-1:2] }}|{{ 'a-b'.replace('-', '+') }}|{{ '%s=%d' % ('x', 3) }}", {}),
 ("list slicing and reversed messages", "{% for m in messages[::-1] %}{{ m.role }}{% if not loop.last %},{% endif %}{% endfor %}|{{ messages[-1]['content'] }}", {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]}),
 ("loop fields", "{% for x in xs %}{{ loop.index }}{{ loop.previtem }}{{ loop.nextitem }}{{ loop.revindex0 }}{{ loop.cycle('a','b') }};{% endfor %}", {"xs": [10, 20, 30]}),
 ("loop scope and namespace", "{% set x = 1 %}{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set x = x + 1 %}{% set ns.n = ns.n + i %}{% endfor %}{{ x }} {{ ns.n }}", {}),
 ("filters", "{{ xs | join(', ') }}|{{ xs | length }}|{{ xs | first }}|{{ xs | last }}|{{ xs | map('upper') | list }}|{{ ms | selectattr('role', 'equalto', 'user') | map(attribute='content') | join }}|{{ ms | rejectattr('role', 'in', ['user']) | list | length }}|{{ 'ab' | upper }}|{{ '  t  ' | trim }}|{{ 'hello world' | title }}|{{ [3, 1, 2] | sort | reverse | list }}|{{ none | default('d') }}|{{ '' | default('e', true) }}|{{ '\na\n\nb' | indent(2) }}|{{ xs | unique | list }}", {"xs": ["b", "a", "b"], "ms": [{"role": "user", "content": "hi"}, {"role": "system", "content": "s"}]}),
 ("tojson", "{{ x | tojson }}|{{ x | tojson(indent=2) }}|{{ 'é\"<' | tojson }}|{{ {'b': 1, 'a': [true, none, 1.25]} | tojson(sort_keys=true) }}", {"x": {"name": "f", "n": [1, 2.5, "é"], "e": {}}}),
 ("tests", "{{ 3 is odd }}{{ 4 is divisibleby 2 }}{{ 'a' is string }}{{ {} is mapping }}{{ [] is sequence }}{{ 1 is number }}{{ true is boolean }}{{ x is none }}{{ y is not defined }}{{ 'a' is in 'abc' }}{{ 2 is eq 2 }}", {"x": None}),
 ("macros and blocks", "{% macro tag(name, body='') %}<{{ name }}>{{ body }}{{ varargs }}</{{ name }}>{% endmacro %}{{ tag('b', 'x') }}{{ tag('i', 'y', 1, 2) }}{% set block %}In {{ 1 + 1 }}{% endset %}[{{ block }}]{% filter upper %}shout{% endfilter %}", {}),
 ("break continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}", {}),
 ("dict methods", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{{ d.get('z', 'none') }}{{ d.keys() | list }}{{ 'a' in d }}", {"d": {"a": 1, "b": 2}}),
 ("generation tag", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}[{{ m.content }}]{% endif %}{% endfor %}", {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}),
 ("undefined behaviour", "[{{ missing }}][{{ m.nope }}][{{ missing | default('x') }}][{{ 'k' in missing }}][{% for x in missing %}no{% endfor %}]", {"m": {}}),
 ("strftime_now", "{{ strftime_now('%d %B %Y') }} {{ strftime_now('%b %A') }}", {}),
 ("conditional expression", "{{ 'y' if x else 'n' }}{{ 'y' if not x }}|{{ x and 'a' or 'b' }}", {"x": False}),
 ("string escapes", "{{ 'a\\nb\\tc\\\\d\\'e' }}|{{ \"\\u00e9\" }}", {}),
]
out = []
for name, t, vars in cases:
    try:
        text = env.from_string(t).render(**vars)
    except Exception as e:
        text = "ERROR " + str(e)
    out.append({"name": name, "template": t, "variables": vars, "expected": text})
json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
