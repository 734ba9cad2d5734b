"""Time layouts, durations and ``$`` expansion: scanned by index, not re-copied at each step."""

from __future__ import annotations

from dockergen.gotemplate.sprig.os_net import expand
from dockergen.limits import MAX_SCAN

from .support import go, go_error

DAY = '(toDate "2006-01-02" "2024-03-05")'


def test_a_long_layout_formats_in_linear_time() -> None:
    # The tokenizer copied the rest of the layout at every character: 2 * 10**12 bytes here.
    assert go(f"{{{{ date .L {DAY} | len }}}}", L="x" * 2_000_000) == "2000000"
    assert go(f"{{{{ date .L {DAY} }}}}", L="2006-01-02 " * 3) == "2024-03-05 " * 3


def test_a_long_duration_parses_in_linear_time() -> None:
    # Each unit re-copied the rest: 1.2 million units took a minute.
    assert go(f"{{{{ (mustDateModify .D {DAY}).UTC }}}}", D="1h" * 1_200_000) == "2161-01-26 00:00:00 +0000 UTC"
    assert go(f"{{{{ (mustDateModify .D {DAY}).UTC }}}}", D="0" * 100_000 + "90m") == "2024-03-05 01:30:00 +0000 UTC"
    assert 'time: invalid duration "999' in go_error(f"{{{{ mustDateModify .D {DAY} }}}}", D="9" * 100_000 + "h")


def test_parsing_a_long_value_against_a_long_layout_is_bounded() -> None:
    message = go_error("{{ toDate .L .L }}", L="1 " * 100_000)
    assert f"time.Parse: scanning 40000000000 characters exceeds dockergen's limit of {MAX_SCAN}" in message
    layout, value = "2006-01-02" + "x" * 1000, "2024-03-05" + "x" * 1000
    assert go("{{ (toDate .L .V).UTC }}", L=layout, V=value) == "2024-03-05 00:00:00 +0000 UTC"


def test_expansion_of_many_dollars_is_linear() -> None:
    # Each "$" copied the rest of the text, and each unterminated "${" searched it for a
    # "}": a minute and a half here (Go's own os.Expand is quadratic too).
    assert go("{{ expandenv .D | len }}", D="${" * 1_500_000) == "0"
    assert go("{{ expandenv .D }}", D="$$" * 3 + "$") == "$"
    values = {"A": "a", "B": "b"}
    assert expand("${A}x" * 1000 + "$B" + "${" * 10, values.get) == "ax" * 1000 + "b"
