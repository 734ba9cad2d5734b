"""Sprig regex functions on Go RE2 semantics (spec §9.2, §11.9)."""

import pytest

from dockergen.gotemplate.errors import GoError
from dockergen.golang.regexp import RegexpSyntaxError, compile as compile_go
from dockergen.gotemplate.sprig.regex import FUNCTIONS  # noqa: F401 - the table the call fixture uses
from dockergen.gotemplate.values import STRINGS, typeof



@pytest.mark.parametrize(
    "name, args, expected",
    [
        ("regexMatch", ("^[a-z]+$", "abc1"), False),
        ("regexMatch", ("b", "abc"), True),
        ("regexMatch", ("[a", "a"), False),
        ("regexMatch", ("^a$", "a\n"), False),  # $ is the end of text only
        ("regexMatch", ("(?m)^a$", "a\nb"), True),
        ("regexMatch", ("^(?i)bar$", "BAR"), True),  # mid-pattern flags
        ("regexMatch", ("\\d", "٣"), False),  # ASCII \d
        ("regexMatch", ("^.$", "é"), True),
        ("regexMatch", ("x{,3}", "x{,3}"), True),  # not a repetition in RE2
        ("regexMatch", ("^[[:alpha:]]+$", "abC"), True),
        ("regexMatch", ("\\bfoo\\b", "é foo"), True),
        ("regexFind", ("a|ab", "ab"), "a"),
        ("regexFind", ("(a)(b)", "xxabab"), "ab"),
        ("regexFindAll", ("a*", "baaac", -1), ["", "aaa", ""]),
        ("regexFindAll", ("", "ab", -1), ["", "", ""]),
        ("regexFindAll", ("[2,4,6,8]", "123456789", 2), ["2", "4"]),
        ("regexFindAll", ("\\pL+", "héllo wörld 123", -1), ["héllo", "wörld"]),
        ("regexFindAll", ("\\w+", "héllo", -1), ["h", "llo"]),
        ("regexReplaceAll", ("a(x*)b", "-ab-axxb-", "${1}W"), "-W-xxW-"),
        ("regexReplaceAll", ("a(x*)b", "-ab-axxb-", "$1W"), "---"),
        ("regexReplaceAll", ("(?P<w>[a-z]+)", "abc 12", "<$w>"), "<abc> 12"),
        ("regexReplaceAll", ("a*", "baaac", "-"), "-b-c-"),
        ("regexReplaceAll", ("(a)", "a", "$$1 $2 ${"), "$1  ${"),
        ("regexReplaceAllLiteral", ("a(x*)b", "-ab-axxb-", "${1}"), "-${1}-${1}-"),
        ("regexReplaceAllLiteral", ("x*", "abc", "-"), "-a-b-c-"),
        ("regexSplit", ("z+", "pizza", -1), ["pi", "a"]),
        ("regexSplit", (",", "a,b,c", 2), ["a", "b,c"]),
        ("regexSplit", ("", "abc", -1), ["a", "b", "c"]),
        ("regexSplit", ("a*", "baaac", -1), ["b", "c"]),
        ("regexSplit", (",", "a,b", 0), []),
        ("regexQuoteMeta", ("1.5+2*[x]",), "1\\.5\\+2\\*\\[x\\]"),
    ],
)
def test_values(call, name, args, expected):
    assert call(name, *args) == expected


def test_string_lists_are_typed(call):
    assert typeof(call("regexFindAll", "x", "abc", -1)) is STRINGS
    assert typeof(call("mustRegexSplit", "\\s", "a b", -1)) is STRINGS


@pytest.mark.parametrize(
    "name, args, message",
    [
        ("mustRegexMatch", ("[a", "a"), "error parsing regexp: missing closing ]: `[a`"),
        ("regexFindAll", ("(", "a", -1), "regexp: Compile(`(`): error parsing regexp: missing closing ): `(`"),
        ("mustRegexFindAll", ("(?P<x", "a", 1), "error parsing regexp: invalid named capture: `(?P<x`"),
        ("mustRegexFind", ("*", "a"), "error parsing regexp: missing argument to repetition operator: `*`"),
        ("mustRegexReplaceAll", ("a{2,1}", "a", ""), "error parsing regexp: invalid repeat count: `{2,1}`"),
        ("regexFind", ("[", "a"), "regexp: Compile(`[`): error parsing regexp: missing closing ]: `[`"),
    ],
)
def test_errors(call, name, args, message):
    with pytest.raises(GoError) as info:
        call(name, *args)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("\\1", "invalid escape sequence: `\\1`"),
        ("(?=x)", "invalid or unsupported Perl syntax: `(?=`"),
        ("a**", "invalid nested repetition operator: `**`"),
        ("[z-a]", "invalid character class range: `z-a`"),
        ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
        ("\\p{Foo}", "invalid character class range: `\\p{Foo}`"),
        ("x\\", "trailing backslash at end of expression: ``"),
        (")", "unexpected ): `)`"),
        ("a{1001}", "invalid repeat count: `{1001}`"),
    ],
)
def test_syntax_errors(pattern, message):
    with pytest.raises(RegexpSyntaxError) as info:
        compile_go(pattern)
    assert str(info.value) == "error parsing regexp: " + message


def test_case_folding_happens_before_class_negation(call):
    assert compile_go("(?i)[^k]").find_all_string("kK\u212ax", -1) == ["x"]
    assert call("regexMatch", "(?i)^STRASSE$", "strasse")
