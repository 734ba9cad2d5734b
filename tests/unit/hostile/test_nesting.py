"""Nesting: decoders refuse deeper documents, walkers refuse deeper (or self-containing) values.

Before, a deep document either hit Python's recursion limit at a depth that
depended on the stack (``exceeded max depth`` somewhere past 300) or decoded
fine and then made the next encoder, printer or comparison raise a
RecursionError that escaped the Go engine altogether: no render error, no
quarantine, no output for anyone.  Go itself crashes, runs out of memory or
hangs on the self-containing cases.
"""

from __future__ import annotations

import pytest

from dockergen.errors import RenderError
from dockergen.limits import MAX_NESTING, LimitError
from dockergen.model import Docker, DockerImage, RuntimeContainer
from dockergen.pipeline.render import RenderInput, Template

from .support import go, go_error, jinja, jinja_error

DEEP = MAX_NESTING
ARRAY = "[" * DEEP + "]" * DEEP
OBJECT = '{"a":' * (DEEP - 1) + '{"a":1}' + "}" * (DEEP - 1)
TOO_DEEP = "[" * (DEEP + 1) + "]" * (DEEP + 1)
LIBYAML_MAX = "[" * 990 + "]" * 990  # libyaml's own bound is 1000 levels
BOMB = "[" * 200_000 + "]" * 200_000
LIMIT = f"value nested deeper than dockergen's limit of {MAX_NESTING} levels"


@pytest.mark.parametrize("walker", ["toJson", "toPrettyJson", "mustToRawJson", "toYaml", "deepCopy", "print"])
@pytest.mark.parametrize("decoder", ["parseJson", "fromJson", "mustFromJson", "fromYaml"])
def test_the_deepest_decoded_value_can_be_walked_again(decoder: str, walker: str) -> None:
    for document in (ARRAY, OBJECT):
        assert go(f"{{{{ $_ := {decoder} .D | {walker} }}}}walked", D=document) == "walked"


def test_the_deepest_decoded_values_compare_print_and_merge() -> None:
    assert go("{{ deepEqual (parseJson .D) (fromYaml .D) }} {{ uniq (list (parseJson .D) (parseJson .D)) | len }}",
              D=ARRAY) == "true 1"
    assert go("{{ parseJson .D }}", D=ARRAY) == ARRAY
    assert go("{{ merge (parseJson .D) (parseJson .D) | len }}", D=OBJECT) == "1"


@pytest.mark.parametrize(
    ("decoder", "document"),
    [
        *((name, doc) for name in ("parseJson", "fromJson", "mustFromJson") for doc in (TOO_DEEP, BOMB)),
        *((name, doc) for name in ("fromYaml", "mustFromYaml") for doc in (TOO_DEEP, LIBYAML_MAX)),
    ],
)
def test_a_deeper_document_is_refused_even_by_the_lenient_decoders(decoder: str, document: str) -> None:
    message = go_error(f"{{{{ {decoder} .D }}}}", D=document)
    assert f"error calling {decoder}: " in message and LIMIT in message


def test_yaml_deeper_than_libyaml_goes_is_libyamls_refusal() -> None:
    assert go_error("{{ mustFromYaml .D }}", D=BOMB).endswith("yaml: exceeded maximum nesting depth")
    assert go("{{ fromYaml .D }}", D=BOMB) == "<no value>"  # an invalid document, as Go's is


@pytest.mark.parametrize("decoder", ["parseJson", "fromJson", "mustFromYaml", "fromYaml"])
def test_jinja_decoders_share_the_bound(decoder: str) -> None:
    assert jinja(f"{{{{ {decoder}(d)|length }}}}", d=ARRAY) == "1"
    for document in (TOO_DEEP, BOMB if "Json" in decoder else LIBYAML_MAX):
        assert LIMIT in jinja_error(f"{{{{ {decoder}(d) }}}}", LimitError, d=document)


SELF = '{{ $d := dict }}{{ $_ := set $d "x" $d }}{{ $e := dict }}{{ $_ := set $e "x" $e }}'


@pytest.mark.parametrize(
    ("use", "where"),
    [
        ("{{ toJson $d }}", "error calling toJson: json: "),  # Go: "" (a cycle error, swallowed)
        ("{{ mustToJson $d }}", "error calling mustToJson: json: "),
        ("{{ toYaml $d }}", "error calling toYaml: serialize: "),  # Go: out of memory
        ('{{ printf "%v" $d }}', "error calling printf: fmt: "),  # Go: stack overflow
        ("{{ $d }}", "at <{{$d}}>: fmt: "),
        ("{{ deepCopy $d }}", "error calling deepCopy: deepCopy: "),  # Go: never returns
        ("{{ merge $d $e }}", "error calling merge: merge: "),
        ("{{ uniq (list $d $e) }}", "error calling uniq: deep comparison: "),
        ("{{ deepEqual $d $e }}", "error calling deepEqual: deep comparison: "),
    ],
)
def test_a_value_containing_itself_fails_as_a_render_error(use: str, where: str) -> None:
    assert f"{where}{LIMIT}" in go_error(SELF + use)


def test_recursion_through_eval_is_a_render_error() -> None:
    # Go's eval has no depth limit: the Go process dies of a stack overflow.
    message = go_error('{{ define "x" }}{{ eval "x" }}{{ end }}{{ eval "x" }}')
    assert message.endswith("exceeded maximum template depth (100000)")


def test_widths_applied_to_every_leaf_are_bounded() -> None:
    # %1000000v pads each of the 1000 elements to a million characters: 1 GB in Go.
    message = go_error('{{ printf "%1000000v" (splitList "," .L) }}', L="," * 999)
    assert "fmt: a result of 1000000000 characters exceeds dockergen's limit of" in message
    message = go_error('{{ printf "%.1000000f" (parseJson .L) }}', L="[" + "1," * 999 + "1]")
    assert "fmt: a result of 1000000000 characters" in message
    assert go('{{ printf "%5v" (splitList "," .L) }}', L="a,b") == "[    a     b]"


def test_a_container_with_a_deep_label_is_named_in_the_render_error(tmp_path) -> None:
    path = tmp_path / "t.tmpl"
    path.write_text("{{ range $ }}{{ .Name }}={{ parseJson (index .Labels \"doc\") | toJson }}\n{{ end }}")
    good = RuntimeContainer(ID="1" * 64, Name="good", Image=DockerImage.split("a:b"), Labels={"doc": ARRAY})
    bad = RuntimeContainer(ID="2" * 64, Name="bad", Image=DockerImage.split("a:b"), Labels={"doc": BOMB})
    template = Template(str(path))
    assert template.render(RenderInput([good], Docker(), {}, None)) == f"good={ARRAY}\n"
    with pytest.raises(RenderError) as info:
        template.render(RenderInput([good, bad], Docker(), {}, None))
    assert info.value.container == "bad" and LIMIT in str(info.value)
