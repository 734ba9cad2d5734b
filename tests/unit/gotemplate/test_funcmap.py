"""The function map: every name a template can call, each family imported only when called."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

from dockergen.gotemplate import dockergen_funcs
from dockergen.gotemplate.funcmap import DOCKERGEN, function_map
from dockergen.gotemplate.sprig import FAMILIES

REPO = Path(__file__).resolve().parents[3]


def test_the_name_index_is_the_families_own_tables() -> None:
    # The index lets the parser know names without importing; it must list exactly what
    # each family declares (after adding a function, add its name to sprig.FAMILIES).
    for family, names in FAMILIES.items():
        declared = importlib.import_module(f"dockergen.gotemplate.sprig.{family}").FUNCTIONS
        assert names == set(declared), family
    assert DOCKERGEN == set(dockergen_funcs.FUNCTIONS)


def test_docker_gen_names_replace_sprigs() -> None:
    # Sprig's table, then docker-gen's on top (coalesce, contains, dir, keys, replace, split).
    expected = {}
    for family in FAMILIES:
        expected.update(importlib.import_module(f"dockergen.gotemplate.sprig.{family}").FUNCTIONS)
    expected.update(dockergen_funcs.FUNCTIONS)
    functions = function_map()
    assert set(functions) == set(expected)
    assert all(functions[name] is expected[name] for name in expected)
    assert functions["contains"] is dockergen_funcs.FUNCTIONS["contains"]
    assert "nope" not in functions and functions.get("nope") is None


def _imported_after(text: str) -> list[str]:
    code = (
        "import json, sys\n"
        "from dockergen.gotemplate.template import TemplateSet\n"
        f"TemplateSet([('m', {text!r})]).execute({{'L': ['a']}})\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('dockergen.gotemplate.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    return json.loads(out.stdout)


def test_a_template_imports_only_the_families_it_calls() -> None:
    plain = _imported_after("{{range .L}}{{.}}{{end}}")
    assert not any(".sprig." in m for m in plain) and "dockergen.gotemplate.dockergen_funcs" not in plain
    upper = _imported_after("{{range .L}}{{upper .}}{{end}}")
    assert "dockergen.gotemplate.sprig.strings" in upper
    assert not {"dockergen.gotemplate.sprig.dates", "dockergen.gotemplate.sprig.crypto"} & set(upper)
