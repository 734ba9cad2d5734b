"""Sprig string functions called directly, with the values templates pass (spec §9.1, §9.3)."""

import pytest

from dockergen.gotemplate.errors import GoError
from dockergen.gotemplate.sprig.strings import FUNCTIONS  # noqa: F401 - the table the call fixture uses
from dockergen.gotemplate.values import STRING, STRINGS, GoMap, GoSlice, new_slice, typeof



@pytest.mark.parametrize(
    "name, args, expected",
    [
        ("hello", (), "Hello!"),
        ("trim", ("  a b \t\n",), "a b"),
        ("trim", ("\u00a0\u2003x\u3000",), "x"),
        ("trim", ("\x1fx\x1c",), "\x1fx\x1c"),  # not Go white space
        ("trimAll", ("$", "$$5.00$"), "5.00"),
        ("trimall", ("ab", "abcba"), "c"),
        ("trimAll", ("", "  x  "), "  x  "),
        ("trimPrefix", ("a", "aaa"), "aa"),
        ("trimSuffix", (".com", "example.com"), "example"),
        ("upper", ("héllo ß",), "HÉLLO ß"),
        ("lower", ("HÉLLO İ",), "héllo i"),
        ("title", ("o'neil is-here x_y",), "O'Neil Is-Here X_y"),
        ("title", ("ÉCOLE élan",), "ÉCOLE Élan"),
        ("title", ("ǆx",), "ǅx"),
        ("untitle", ("Hello World ABC",), "hello world aBC"),
        ("untitle", ("Élan Vital",), "élan vital"),
        ("substr", (0, 3, "hello"), "hel"),
        ("substr", (2, -1, "hello"), "llo"),
        ("substr", (-1, 2, "hello"), "he"),
        ("substr", (1, 100, "hello"), "ello"),
        ("substr", (0, 1, "é"), "\udcc3"),
        ("repeat", (3, "ab"), "ababab"),
        ("nospace", ("a b\tc\nd  e",), "abcde"),
        ("nospace", ("\u00a0x\u2003y",), "Âxâ\x80\x83y"),
        ("nospace", ("é",), "é"),
        ("trunc", (5, "hello world"), "hello"),
        ("trunc", (-5, "hello world"), "world"),
        ("trunc", (-50, "hi"), "hi"),
        ("trunc", (2, "héllo"), "h\udcc3"),
        ("abbrev", (5, "hello world"), "he..."),
        ("abbrev", (3, "hello"), "hello"),
        ("abbrev", (7, "héllo wörld"), "hél..."),
        ("abbrevboth", (5, 10, "1234 5678 9123"), "...5678..."),
        ("abbrevboth", (0, 6, "abcdefghij"), "abc..."),
        ("abbrevboth", (1, 3, "abcdefghij"), "abcdefghij"),
        ("initials", ("  multiple   spaces here ",), "msh"),
        ("initials", ("élan vital",), "Ãv"),
        ("swapcase", ("This Is A.Test",), "tHIS iS a.tEST"),
        ("swapcase", ("ÉcOlE",), "éCoLe"),
        ("snakecase", ("HTTP20xOK",), "http_20x_ok"),
        ("snakecase", ("Bld4Floor3rd",), "bld4_floor_3rd"),
        ("snakecase", ("ID2Name",), "id2_name"),
        ("snakecase", ("a  b",), "a__b"),
        ("snakecase", ("foo.bar",), "foo.bar"),
        ("snakecase", ("ÀbcDéf",), "àbc_déf"),
        ("kebabcase", ("HTTPServer",), "http-server"),
        ("kebabcase", ("snake_case",), "snake-case"),
        ("camelcase", ("GOLANG_IS_GREAT",), "GolangIsGreat"),
        ("camelcase", ("_complex__case_",), "_Complex_Case_"),
        ("camelcase", ("alreadyCamel",), "AlreadyCamel"),
        ("camelcase", ("a1_b2",), "A1B2"),
        ("wrap", (5, "The quick brown fox jumps"), "The\nquick\nbrown\nfox\njumps"),
        ("wrap", (3, "abcdefgh ij"), "abcdefgh\nij"),
        ("wrap", (3, "  a   b"), "a  \nb"),
        ("wrapWith", (3, "|", "abcdefg"), "abc|def|g"),
        ("wrapWith", (4, "\n", "aaaa bbbb cc"), "aaaa\nbbbb\ncc"),
        ("contains", ("cat", "catch"), True),
        ("sprigContains", ("dog", "catch"), False),
        ("hasPrefix", ("he", "hello"), True),
        ("hasSuffix", ("", "hello"), True),
        ("quote", ("a", "b", 1, None, True), '"a" "b" "1" "true"'),
        ("quote", ('say "hi"\n',), '"say \\"hi\\"\\n"'),
        ("quote", (), ""),
        ("squote", ("it's", 2, None), "'it's' '2'"),
        ("cat", ("a", 1, None, "b"), "a 1 b"),
        ("cat", ("", "x"), " x"),
        ("cat", ([1, 2], "x"), "[1 2] x"),
        ("indent", (2, "a\nb\n"), "  a\n  b\n  "),
        ("nindent", (3, "a\nb"), "\n   a\n   b"),
        ("replace", ("", "-", "abc"), "-a-b-c-"),
        ("sprigReplace", (" ", "-", "I Am"), "I-Am"),
        ("plural", ("one", "many", 1), "one"),
        ("plural", ("one", "many", 0), "many"),
        ("sha1sum", ("abc",), "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("sha256sum", ("abc",), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("adler32sum", ("abc",), "38600999"),
        ("toString", (None,), "<nil>"),
        ("toString", (1e6,), "1e+06"),
        ("toString", ([1, "a"],), "[1 a]"),
        ("join", (",", [1, "a", None, True]), "1,a,true"),
        ("join", (",", "single"), "single"),
        ("join", (",", None), ""),
    ],
)
def test_values(call, name, args, expected):
    assert call(name, *args) == expected


@pytest.mark.parametrize(
    "name, args, message",
    [
        ("substr", (3, 1, "hello"), "runtime error: slice bounds out of range [3:1]"),
        ("substr", (10, -1, "hello"), "runtime error: slice bounds out of range [10:5]"),
        ("substr", (-1, 9, "hello"), "runtime error: slice bounds out of range [:9] with length 5"),
        ("repeat", (-1, "x"), "strings: negative Repeat count"),
        ("indent", (-1, "x"), "strings: negative Repeat count"),
    ],
)
def test_panics(call, name, args, message):
    with pytest.raises(GoError) as info:
        call(name, *args)
    assert str(info.value) == message


def test_random_strings_use_their_alphabet(call):
    assert call("randAlpha", 0) == "" and call("randAlpha", -1) == ""
    assert len(call("randAlphaNum", 20)) == 20 and call("randNumeric", 8).isdigit()
    assert all(" " <= c <= "~" for c in call("randAscii", 50))
    assert sorted(call("shuffle", "hello")) == sorted("hello")


def test_string_lists_have_go_types(call):
    parts = call("splitList", ",", "a,b,,c")
    assert parts == ["a", "b", "", "c"] and typeof(parts) is STRINGS
    assert call("splitList", ",", "") == [""]
    assert call("splitList", "", "abc") == ["a", "b", "c"]
    pieces = call("splitn", ",", 2, "a,b,c")
    assert isinstance(pieces, GoMap) and pieces == {"_0": "a", "_1": "b,c"}
    assert call("splitn", ",", 0, "a,b") == {}
    assert call("sprigSplit", "$", "foo$bar") == {"_0": "foo", "_1": "bar"}
    assert call("toStrings", [1, "a", None, True, 2.5]) == ["1", "a", "true", "2.5"]
    assert call("toStrings", None) == [] and call("toStrings", "abc") == ["abc"]


def test_sort_alpha_sorts_bytes_and_wraps_scalars(call):
    assert call("sortAlpha", ["b", "a", "C", 3, 1.5]) == ["1.5", "3", "C", "a", "b"]
    assert call("sortAlpha", "x") == ["x"] and call("sortAlpha", None) == ["<nil>"]
    given = new_slice(STRING, ["z", "y"])
    result = call("sortAlpha", given)
    assert result is given and given == ["y", "z"] and isinstance(result, GoSlice)
