"""General helpers: sections 6.4, 7, 12, 16 and the function rows of section 18.

Not re-created (difference 2): Go's ``eval``/``define``/``template`` (section
6.5 and the ``eval`` row of 18); Jinja2 has macros, ``{% set %}`` blocks and
``{% include %}`` instead.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pytest

from dockergen.errors import HelperError
from dockergen.helpers.functions import (
    closest,
    coalesce,
    comment,
    contains,
    dict_,
    dir_,
    exists,
    include,
    intersect,
    keys,
    list_,
    mustBeInt,
    mustBeIntInRange,
    mustBeOneOf,
    parseBool,
    queryEscape,
    replace,
    sha1,
    split,
    splitN,
    sprigCoalesce,
    sprigContains,
    sprigDir,
    sprigReplace,
    sprigSplit,
    sprigSplitn,
    toLower,
    toUpper,
    when,
)
from dockergen.jinja.catalogue import FILTERS, GLOBALS
from dockergen.model import RuntimeContainer, split_key_values
from template_support import render


# --- 6.4 Sprig compatibility, ported to Jinja2 ---------------------------------


@pytest.mark.parametrize(
    ("source", "ctx"),
    [
        ('{% set d = dict("a", "b") %}{% if d["a"] == "b" %}ok{% endif %}', None),
        ('{% set d = dict("a", "b") %}{% if d["x"] is undefined %}ok{% endif %}', None),
        ('{% set d = dict("a", "b", "c", dict("d", "e")) %}{% if d["c"]["d"] == "e" %}ok{% endif %}', None),
        ('{% if (ctx|first) == "a" %}ok{% endif %}', ["a", "b"]),
        ('{% if (ctx|first) == "a" %}ok{% endif %}', ("a", "b")),
        ('{% if hasPrefix("tcp://", "tcp://127.0.0.1:2375") %}ok{% endif %}', None),
        ('{% if not hasPrefix("udp://", "tcp://127.0.0.1:2375") %}ok{% endif %}', None),
        ('{% if hasSuffix(".local", "myhost.local") %}ok{% endif %}', None),
        ('{% if not hasSuffix(".example", "myhost.local") %}ok{% endif %}', None),
        ('{% if (ctx|last) == "b" %}ok{% endif %}', ["a", "b"]),
        ('{% if (ctx|last) == "b" %}ok{% endif %}', ("a", "b")),
        ('{% if ("  myhost.local  "|trim) == "myhost.local" %}ok{% endif %}', None),
        # Go's pipe passes the subject last; the filter form takes it first.
        ('{% if "tcp://127.0.0.1"|hasPrefix("tcp://") %}ok{% endif %}', None),
    ],
)
def test_sprig_compatibility(source: str, ctx: object) -> None:
    assert render(source, ctx=ctx) == "ok"


# --- 7 functions ----------------------------------------------------------------


def test_contains() -> None:
    assert contains({"PORT": "1234"}, "PORT") is True
    assert contains({"PORT": "1234"}, "MISSING") is False
    assert contains({42: 1234}, 42) is True
    assert contains({42: 1234}, "WRONG TYPE") is False
    assert contains({42: 1234}, 24) is False
    assert contains({1: "x"}, True) is False  # type-strict: True is not 1
    assert contains(None, 0) is False
    assert contains(None, "") is False
    assert contains(jinja2.Undefined(), "x") is False


def test_keys() -> None:
    assert render("{% for k in keys(ctx) %}{{ k }}{% endfor %}", ctx={"VIRTUAL_HOST": "demo.local"}) == "VIRTUAL_HOST"
    assert keys({}) == []
    assert keys(None) is None
    assert keys(jinja2.Undefined()) is None
    assert keys({"b": 1, "a": 2, "c": 3}) == ["a", "b", "c"]  # sorted (difference 3)
    assert keys({1: "a", "b": 2}) == [1, "b"]


def test_include(tmp_path: Path) -> None:
    assert include("some_random_file") == ""
    path = tmp_path / "file"
    path.write_text("some string")
    assert include(str(path)) == "some string"
    assert include(str(tmp_path)) == ""  # a directory cannot be read
    assert render("{{ include(p) }}|", p="/nonexistent") == "|"


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (["foo.fo.com", "bar.com"], ["foo.bar.com"], []),
        (["foo.fo.com", "bar.com"], ["bar.com", "foo.com"], ["bar.com"]),
        (["foo.com"], ["bar.com", "foo.com"], ["foo.com"]),
        (["foo.fo.com", "foo.com", "bar.com"], ["bar.com", "foo.com"], ["bar.com", "foo.com"]),
        (["b", "a", "b"], ["a", "b"], ["a", "b"]),
    ],
)
def test_intersect(first: list[str], second: list[str], expected: list[str]) -> None:
    # Go returns the distinct common strings in random order; sorted here (difference 3).
    assert intersect(first, second) == expected


@pytest.mark.parametrize(
    ("source", "ctx", "expected"),
    [
        ('{{ splitN(ctx, "/", 2)[0] }}', "example.com/path", "example.com"),
        ('{{ splitN(ctx, "/", 2)[1] }}', "example.com/path", "path"),
        ('{{ splitN(ctx, "/", 2)[1] }}', "example.com/a/longer/path", "a/longer/path"),
        ('{{ splitN(ctx, "/", 2)|length }}', "example.com", "1"),
        ('{{ ctx|splitN("/", 2)|last }}', "example.com/a/b", "a/b"),
    ],
)
def test_split_n(source: str, ctx: str, expected: str) -> None:
    assert render(source, ctx=ctx) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("example.com", "example.com"),
        (".example.com", ".example.com"),
        ("*.example.com", "%2A.example.com"),
        ("~^example\\.com(\\..*\\.xip\\.io)?$", "~%5Eexample%5C.com%28%5C..%2A%5C.xip%5C.io%29%3F%24"),
        ("a b&c", "a+b%26c"),
        ("é", "%C3%A9"),
    ],
)
def test_query_escape(text: str, expected: str) -> None:
    assert queryEscape(text) == expected
    assert render("{{ ctx|queryEscape }}", ctx=text) == expected


@pytest.mark.parametrize(
    ("values", "text", "expected"),
    [
        (["foo.bar.com", "bar.com"], "foo.bar.com", "foo.bar.com"),
        (["foo.fo.com", "bar.com"], "foo.bar.com", "bar.com"),
        (["foo.fo.com", "bip.com"], "foo.bar.com", ""),
        (["", "a"], "a", "a"),
        (["ab", "bc"], "abc", "ab"),  # ties: the first wins
    ],
)
def test_closest(values: list[str], text: str, expected: str) -> None:
    assert closest(values, text) == expected


@dataclass
class WhenCtx:
    BoolValue: bool
    StringValue: str


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ when(ctx.BoolValue, "first", "second") }}', "first"),
        ('{{ when(ctx.StringValue == "foo", "first", "second") }}', "first"),
        ('{{ when(not ctx.BoolValue, "first", "second") }}', "second"),
        ('{{ when(not (ctx.StringValue == "foo"), "first", "second") }}', "second"),
    ],
)
def test_when(source: str, expected: str) -> None:
    assert render(source, ctx=WhenCtx(BoolValue=True, StringValue="foo")) == expected


def test_when_direct() -> None:
    assert when(True, "first", "second") == "first"
    assert when(False, "first", "second") == "second"
    for bad in (1, "true", None, jinja2.Undefined()):
        with pytest.raises(HelperError, match="must be a bool"):
            when(bad, "a", "b")


def test_dir(tmp_path: Path) -> None:
    for prefix in ("ccc", "aaa", "bbb"):
        (tmp_path / f"{prefix}-{os.getpid()}").write_text("")
    (tmp_path / ".hidden").mkdir()
    assert dir_(str(tmp_path)) == [".hidden", f"aaa-{os.getpid()}", f"bbb-{os.getpid()}", f"ccc-{os.getpid()}"]


def test_dir_error_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert dir_("/wrong/path") == []
        assert render("{{ dir(p) }}", p="/nonexistent") == "[]"
    assert "Template error: open /wrong/path: no such file or directory" in caplog.text
    assert "Template error: open /nonexistent:" in caplog.text


def test_coalesce() -> None:
    assert coalesce(None, "second", "third") == "second"
    assert coalesce(None, None, None) is None
    assert coalesce(jinja2.Undefined(), "", "x") == ""
    assert coalesce() is None


# --- 12 validation --------------------------------------------------------------


def test_must_be_one_of() -> None:
    assert mustBeOneOf(["a", "b", "c"], "a") == "a"
    with pytest.raises(HelperError) as info:
        mustBeOneOf(["a", "b", "c"], "d")
    assert str(info.value) == 'value must be one of ["a" "b" "c"]; got "d"'
    with pytest.raises(HelperError, match="is not a string"):
        mustBeOneOf(["a", 1, "c"], "a")  # checked before membership


@pytest.mark.parametrize(("value", "expected"), [("0", "0"), ("161", "161"), ("-42", "-42"), ("+5", "+5"), ("007", "007")])
def test_must_be_int(value: str, expected: str) -> None:
    assert mustBeInt(value) == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", "empty value"),
        ("abc", "must be an integer"),
        (" 5", "must be an integer"),
        ("99999999999999999999", 'value must be an integer; got "99999999999999999999"'),
    ],
)
def test_must_be_int_errors(value: str, error: str) -> None:
    with pytest.raises(HelperError, match=error.replace("(", "\\(")):
        mustBeInt(value)


@pytest.mark.parametrize(
    ("low", "high", "value", "expected"),
    [
        (-3, 3, "2", "2"),
        (-3, 3, "-3", "-3"),
        (-3, 3, "3", "3"),
        (5, -10, "3", "ERR:invalid allowed range"),
        (-3, 3, "", "ERR:empty value"),
        (-3, 3, "abc", "ERR:must be an integer"),
        (-3, 3, "-4", "ERR:between -3 and 3"),
        (-3, 3, "4", "ERR:between -3 and 3"),
        ("1", 10, "5", "ERR:must be an integer"),  # min must be an int, not a string
        (True, 10, "5", "ERR:must be an integer"),  # a bool is no int either
    ],
)
def test_must_be_int_in_range(low: object, high: object, value: str, expected: str) -> None:
    if expected.startswith("ERR:"):
        with pytest.raises(HelperError, match=expected[4:]):
            mustBeIntInRange(low, high, value)
    else:
        assert mustBeIntInRange(low, high, value) == expected


def test_validation_in_templates() -> None:
    assert render('{{ mustBeOneOf(list("a", "b"), "a") }}') == "a"
    # Go rejects a `split` result (typed []string); Python lists carry no type.
    assert render('{{ mustBeOneOf(split("a,b", ","), "a") }}') == "a"
    with pytest.raises(HelperError, match=r'value must be one of \["a" "b"\]; got "c"'):
        render('{{ mustBeOneOf(list("a", "b"), "c") }}')
    assert render('{{ mustBeInt("+5") }} {{ mustBeInt("007") }}') == "+5 007"
    with pytest.raises(HelperError, match='value must be an integer between 1 and 10; got "11"'):
        render('{{ mustBeIntInRange(1, 10, "11") }}')
    with pytest.raises(HelperError):
        render('{{ mustBeIntInRange("1", 10, "5") }}')
    # Filter forms take the checked value as subject.
    assert render('{{ "b"|mustBeOneOf(["a", "b"]) }} {{ "5"|mustBeIntInRange(1, 10) }} {{ "7"|mustBeInt }}') == "b 5 7"


# --- 16 utils -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [(["K"], ""), (["K="], ""), (["K=V3"], "V3"), (["K=V4=V5"], "V4=V5")],
)
def test_split_key_values(items: list[str], expected: str) -> None:
    assert split_key_values(items)["K"] == expected


def test_path_exists(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("")
    assert exists(str(path)) is True
    assert exists("/wrong/path") is False
    assert render('{{ exists("/etc") }} {{ exists("/nonexistent") }}') == "True False"


def test_exists_other_errors_fail(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("")
    with pytest.raises(HelperError, match="exists: stat"):
        exists(str(path / "below-a-file"))  # ENOTDIR is not "not found"


# --- 18 template-level rows -------------------------------------------------------

C1 = RuntimeContainer(ID="1", Name="one", Env={"VIRTUAL_HOST": "a.com,b.com", "PORT": "80"})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ sha1("abc") }}', "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ('{{ coalesce(none, "", "x") }}|{{ sprigCoalesce(none, "", "x") }}', "|x"),
        ('{{ contains(dict("a", 1), "a") }} {{ contains("abc", "a") }} {{ sprigContains("b", "abc") }}', "True False True"),
        ('{{ replace("aaa", "a", "b", 2) }} {{ replace("aaa", "a", "b", -1) }} {{ sprigReplace("a", "b", "aaa") }}', "bba bbb bbb"),
        # Jinja2's own replace filter reads exactly like docker-gen's replace.
        ('{{ "aaa"|replace("a", "b") }} {{ "aaa"|replace("a", "b", 1) }} {{ replace("aaa", "a", "b") }}', "bbb baa bbb"),
        ('{{ toLower("ÀBC") }} {{ toUpper("straße") }}', "àbc STRAßE"),
        ('{{ closest(split("foo.bar.com,bar.com", ","), "www.foo.bar.com") }}', "foo.bar.com"),
        # Go: a type error (closest wants []string, `list` is generic); accepted here.
        ('{{ closest(list("a"), "a") }}', "a"),
        ('{{ intersect(split("a,b,c", ","), split("c,b,d", ","))|sortStringsAsc }}', "['b', 'c']"),
        ('{{ when(true, "a", "b") }}', "a"),
        ('{{ comment("# ", "a\\nb\\n") }}', "# a\n# b\n# "),
        ('{{ comment("# ", "") }}', "# "),
        ('{{ comment("// ", "a\\r\\nb") }}', "// a\r\n// b"),
        ('{{ comment("#", toPrettyJson(dict("a", 1))) }}', '#{\n#  "a": 1\n#}'),
        ('{{ "a\\nb"|comment("; ") }}', "; a\n; b"),
        ('{% for k in dict("b", 1, "a", 2, "c", 3) %}{{ k }}{% endfor %}', "abc"),
        ('{{ queryEscape("a b&c") }}', "a+b%26c"),
        ('{{ coalesce(c.Env.NOPE, "d") }}', "d"),
        # Go's `index` yields "" for a missing key, so coalesce returns "";
        # Jinja2 subscripting is undefined either way (difference 4).
        ('{{ coalesce(c.Env["NOPE"], "d") }}', "d"),
        ('{{ c.Env|contains("PORT") }} {{ c.Env|keys|join(",") }}', "True PORT,VIRTUAL_HOST"),
        ('{{ "a,b"|split(",") }}', "['a', 'b']"),
        ('{{ "ÀB"|toLower }}{{ "x"|toUpper }}', "àbX"),
        ('{{ "abc"|sha1 }}', "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ],
)
def test_template_rows(source: str, expected: str) -> None:
    assert render(source, c=C1) == expected


def test_split_rows() -> None:
    # Go prints lists as [a b  c]; the values are what matter here.
    assert split("a,b,,c", ",") == ["a", "b", "", "c"]
    assert len(split("", ",")) == 1
    assert split("abc", "") == ["a", "b", "c"]
    assert splitN("a,b,c", ",", 0) == []
    assert splitN("a,b,c", ",", -1) == ["a", "b", "c"]
    assert splitN("a,b,c", ",", 2) == ["a", "b,c"]
    assert splitN("a,b,c", ",", 1) == ["a,b,c"]
    assert sprigSplit(",", "a,b") == {"_0": "a", "_1": "b"}
    assert sprigSplitn(",", 2, "a,b,c") == {"_0": "a", "_1": "b,c"}
    assert split(jinja2.Undefined(), ",") == [""]  # missing counts as ""
    with pytest.raises(HelperError, match="must be an integer"):
        splitN("a", ",", "2")


def test_parse_bool() -> None:
    assert [parseBool(v) for v in ("TRUE", "t", "1", "0", "F", "False")] == [True, True, True, False, False, False]
    for bad in ("yes", "fAlse", ""):
        with pytest.raises(HelperError, match="invalid syntax"):
            parseBool(bad)


def test_when_with_int_is_an_error() -> None:
    with pytest.raises(HelperError):
        render('{{ when(1, "a", "b") }}')


def test_keys_errors() -> None:
    with pytest.raises(HelperError, match="cannot call keys on a non-map value"):
        render('{{ keys("x") }}')
    with pytest.raises(HelperError, match="cannot call keys on a non-map value"):
        keys(RuntimeContainer())
    # Go prints `<no value>` for nil; the value is None here (rendering is difference 4).
    assert keys(None) is None


def test_replace() -> None:
    assert replace("abc", "", "-") == "-a-b-c-"
    assert replace("abc", "", "-", 2) == "-a-bc"
    assert replace("aaa", "a", "b", 0) == "aaa"
    with pytest.raises(HelperError):
        replace("a", "a", "b", "1")


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("straße", "straße", "STRAßE"),
        ("ΑΣ", "ασ", "ΑΣ"),  # no final-sigma rule in Go
        ("İ", "i", "İ"),
        ("ǅ", "ǆ", "Ǆ"),
        ("ﬁ", "ﬁ", "ﬁ"),
        ("ABC", "abc", "ABC"),
    ],
)
def test_go_case_mapping(text: str, lower: str, upper: str) -> None:
    assert toLower(text) == lower
    assert toUpper(text) == upper


@pytest.mark.parametrize(
    ("path", "expected"),
    [("a/b/c", "a/b"), ("", "."), ("/", "/"), ("a", "."), ("/a/", "/a"), ("//a//b", "/a"), ("a/../..", "."), ("a/../../b", ".."), ("/..", "/")],
)
def test_sprig_dir(path: str, expected: str) -> None:
    assert sprigDir(path) == expected


def test_sprig_string_helpers() -> None:
    assert sprigContains("b", "abc") is True
    assert sprigReplace("a", "b", "aaa") == "bbb"
    assert sprigCoalesce(None, 0, [], "", "x") == "x"
    assert sprigCoalesce(None, "") is None
    assert render('{{ trimPrefix("www.", "www.a.com") }} {{ trimSuffix(".com", "a.com") }}') == "a.com a"
    assert render('{{ "www.a.com"|trimPrefix("www.") }} {{ "a.com"|trimSuffix(".com") }} {{ "x.local"|hasSuffix(".local") }}') == "a.com a True"


def test_dict_and_list() -> None:
    assert dict_("a", 1, "b") == {"a": 1, "b": ""}
    assert dict_(1, "x", True, "y") == {"1": "x", "true": "y"}
    assert dict_(b=1, a=2) == {"a": 2, "b": 1}
    assert list(dict_("b", 1, "a", 2)) == ["a", "b"]
    assert list_(1, "a") == [1, "a"]
    assert list_() == []


def test_string_helpers_refuse_non_strings() -> None:
    for func, args in ((toLower, (1,)), (split, (1, ",")), (comment, ("#", 5)), (sha1, (b"x",)), (queryEscape, (None.__class__,))):
        with pytest.raises(HelperError, match="must be a string"):
            func(*args)  # type: ignore[operator]


def test_registry() -> None:
    for name in (
        "closest", "coalesce", "comment", "contains", "dir", "exists", "include", "intersect",
        "keys", "when", "parseBool", "split", "splitN", "replace", "toLower", "toUpper",
        "queryEscape", "sha1", "mustBeOneOf", "mustBeInt", "mustBeIntInRange", "sprigCoalesce",
        "sprigContains", "sprigDir", "sprigReplace", "sprigSplit", "sprigSplitn", "hasPrefix",
        "hasSuffix", "trimPrefix", "trimSuffix", "dict", "list", "groupBy", "groupByWithDefault",
        "groupByKeys", "groupByMulti", "groupByLabel", "groupByLabelWithDefault", "where",
        "whereNot", "whereExist", "whereNotExist", "whereAny", "whereAll", "whereLabelExists",
        "whereLabelDoesNotExist", "whereLabelValueMatches", "sortStringsAsc", "sortStringsDesc",
        "sortObjectsByKeysAsc", "sortObjectsByKeysDesc", "nginxQuote", "nginxMustParseHSTS",
        "json", "toJson", "toPrettyJson", "toRawJson", "parseJson", "fromJson", "fromYaml",
        "mustFromYaml", "toYaml", "mustToYaml",
    ):
        assert callable(GLOBALS[name]), name
    # Jinja2's own filters whose meaning differs are never shadowed.
    for name in ("first", "last", "join", "default", "trim", "list", "dict", "lower", "upper", "sort", "replace"):
        assert name not in FILTERS, name
