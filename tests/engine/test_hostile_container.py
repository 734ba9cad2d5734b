"""A container with crafted labels joins a watched host: the others keep being rendered.

The template hands labels to the helpers a hostile value could make expensive
(a count, a YAML document, a version constraint, a number, a list, a field
path, ``$`` expansion).  Before dockergen bounded them, one of these
containers stalled the watcher for hours or killed its renders with a
RecursionError outside the quarantine; now the ones that break the render are
quarantined with a message naming the bound, the one whose values are merely
large is rendered, and a normal container started afterwards reaches the
destination as fast as ever.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from cli_support import RunningGenerator

pytestmark = pytest.mark.engine

TEMPLATE = """\
{{ range sortObjectsByKeysAsc $ "Name" -}}
{{ $l := .Labels -}}
{{ .Name }} n={{ repeat (atoi (or (index $l "x.count") "1")) "x" | len }} \
y={{ fromYaml (or (index $l "x.yaml") "[]") | toJson }} \
s={{ semverCompare (or (index $l "x.semver") "*") "1.0.0" }} \
f={{ float64 (or (index $l "x.float") "1") }} \
u={{ uniq (splitList "," (or (index $l "x.list") "a")) | len }} \
p={{ len (where (list $l) (or (index $l "x.path") "none") "y") }} \
e={{ expandenv (or (index $l "x.env") "") | len }}
{{ end -}}
"""

NORMAL = "n=1 y=[] s=true f=1 u=1 p=0 e=0"

# Each value below hung the watcher, or ended its render outside the quarantine, before.
QUARANTINED = {
    "count": ({"x.count": "3000000000"}, "repeat: a result of 3000000000 characters exceeds dockergen's limit"),
    "yaml": ({"x.yaml": "[" * 900 + "]" * 900}, "yaml: value nested deeper than dockergen's limit of 100 levels"),
    "semver": ({"x.semver": "1" + "  1" * 40 + "!"}, "error calling semverCompare: improper constraint: 1  1"),
}
LARGE = {  # bounded now, and harmless: rendered like any container
    "x.float": "1" * 5000 + "x",
    "x.list": ",".join(f"v{i}" for i in range(100_000)),
    "x.path": "a" + ".a" * 100_000,
    "a.a": "y",
    "x.env": "$" * 200_000,
}


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def test_hostile_labels_are_quarantined_or_bounded_and_the_rest_keeps_rendering(
    tmp_path, make_container, wait_for
):
    tag = uuid.uuid4().hex[:8]
    template = tmp_path / "hostile.tmpl"
    template.write_text(TEMPLATE)
    dest = tmp_path / "out.txt"

    def start(role: str, labels: dict[str, str] | None = None):
        return make_container(name=f"dgt-hostile-{tag}-{role}", labels={"t": tag, **(labels or {})})

    first, second = start("a"), start("b")
    generator = RunningGenerator(
        "-watch", "-container-filter", f"label=t={tag}", str(template), str(dest), log_path=tmp_path / "gen.log"
    )
    try:
        wait_for(lambda: first.name in read(dest) and second.name in read(dest), timeout=20)

        hostile = {role: start(f"q-{role}", labels) for role, (labels, _) in QUARANTINED.items()}
        large = start("large", LARGE)
        later = start("z")  # a normal container, after the hostile ones
        wait_for(lambda: later.name in read(dest) and large.name in read(dest), timeout=20)

        assert read(dest) == (
            f"{first.name} {NORMAL}\n{second.name} {NORMAL}\n"
            f"{large.name} n=1 y=[] s=true f=0 u=100000 p=0 e=0\n{later.name} {NORMAL}\n"
        )
        log = generator.log()
        for role, (_, reason) in QUARANTINED.items():
            # (quarantined again when the engine reports a change, its network connect, say)
            lines = [line for line in log.splitlines() if f"Quarantined container {hostile[role].name} " in line]
            assert lines and all(reason in line for line in lines), log
        assert "Unexpected error" not in log and "Traceback" not in log
        assert generator.process.poll() is None  # still watching
    finally:
        generator.stop()
