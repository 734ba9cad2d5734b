"""Go's regexp semantics (dockergen.golang.regexp); every expected value was produced by Go 1.25.

The same tables run through the real Go engine in test_regexp_oracle.py when
../shared/reference/ is there.
"""

from __future__ import annotations

import pytest

from dockergen.golang import regexp
from dockergen.golang.regexp import RegexpSyntaxError
from dockergen.golang.regexp_syntax import translate

# (method, pattern, text, argument, Go's answer).  Methods are Go's: MatchString,
# FindString, FindAllString(n), ReplaceAllString(template), ReplaceAllLiteralString, Split(n).
CASES = [
    # Go's empty-match rules
    ("find_all", "a*", "baaac", -1, ["", "aaa", ""]),
    ("find_all", "", "héé", -1, ["", "", "", ""]),  # one step per character, not per byte
    ("find_all", "a*?", "aa", -1, ["", "", ""]),
    ("find_all", "[0-9]+", "a1b22c333", 2, ["1", "22"]),
    ("find_all", "x", "abc", -1, []),
    ("find_all", "x", "xxx", 0, []),
    ("replace", "a*", "baaac", "-", "-b-c-"),
    ("replace", "", "héé", "-", "-h-é-é-"),
    ("replace_literal", "x*", "abc", "$1", "$1a$1b$1c$1"),
    ("split", "a*", "baaac", -1, ["b", "c"]),
    ("split", "", "héé", -1, ["h", "é", "é"]),
    ("split", ",", "a,b,c", 2, ["a", "b,c"]),
    ("split", ",", "", -1, [""]),
    ("split", "", "", -1, []),
    ("split", ",", "a,b", 0, None),
    ("split", "x*", "axbxxc", -1, ["a", "b", "c"]),
    # Expand: $n, ${n}, $name, ${name}, $$; Go's name is letters, digits and "_", Unicode included
    ("replace", "a(x*)b", "-ab-axxb-", "${1}W", "-W-xxW-"),
    ("replace", "a(x*)b", "-ab-axxb-", "$1W", "---"),  # the group named "1W" does not exist
    ("replace", "(a)", "a", "$$1 $2 ${", "$1  ${"),
    ("replace", "(a)", "a", "[$01]", "[]"),  # a leading zero makes it a name
    ("replace", "(a)", "a", "[$é]", "[]"),
    ("replace", "(a)", "a", "[${1]", "[${1]"),
    ("replace", "(a)(b)?", "a", "[$2|$1]", "[|a]"),  # a group that took no part is empty
    ("replace", "(?P<x>a)|(?P<x>b)", "ab", "[$x]", "[a][b]"),  # a repeated name: the first that matched
    ("replace", "(?<year>\\d{4})-(?P<m>\\d\\d)", "2024-05", "${m}/$year", "05/2024"),
    # RE2 semantics that Python's re does not share
    ("match", "^a$", "a\n", None, False),  # $ is the end of the text
    ("match", "(?m)^b$", "a\nb\n", None, True),
    ("match", "^(?i)bar$", "BAR", None, True),  # flags may come mid-pattern
    ("match", "\\d", "\u0663", None, False),  # ASCII classes
    ("match", "\\bfoo\\b", "é foo", None, True),
    ("match", "x{,3}", "x{,3}", None, True),  # not a repetition
    ("find", "a|ab", "ab", None, "a"),  # leftmost-first, not longest
    ("find", "(?U)a+", "aaa", None, "a"),
    ("find", "(?U)a+?", "aaa", None, "aaa"),
    ("find_all", "\\B", "hé", -1, [""]),  # at the end; not inside the two bytes of é
    ("find_all", "(?i)k", "kK\u212a", -1, ["k", "K", "\u212a"]),  # simple case folding (Kelvin sign)
    ("find_all", "(?i)[^k]", "kK\u212ax", -1, ["x"]),  # folded, then negated
    ("find_all", "(?i)\\W", "\u212a\u017f!", -1, ["!"]),
    # Unicode classes, with Go 1.25's names
    ("find_all", "\\pL+", "héllo wörld 123", -1, ["héllo", "wörld"]),
    ("find_all", "\\p{greek}+", "abc αβγ", -1, ["αβγ"]),  # loose matching of names
    ("find_all", "\\p{ Uppercase_Letter }", "aBc", -1, ["B"]),
    ("match", "^\\p{Cn}$", "\u0378", None, True),  # unassigned
    ("match", "^\\p{C}$", "\u0378", None, True),  # Go's C holds the unassigned code points
    ("match", "^\\p{Assigned}$", "\u0378", None, False),
    ("match", "^(?i)\\p{LC}$", "\u0345", None, False),  # Go folds no LC
    ("match", "^(?i)\\p{Greek}$", "\u0345", None, True),  # ... but folds Greek
    ("match", "^(?i)\\P{ASCII}$", "\u212a", None, False),
    ("match", "^(?i)[^\\p{LC}x]$", "\u0345", None, True),
    ("find_all", "[\\p{Cn}a]+", "ab\u0378a", -1, ["a", "\u0378a"]),
    # invalid UTF-8 (held as lone surrogates) is one U+FFFD per byte, as in Go
    ("find_all", ".", "a\udcffé", -1, ["a", "\udcff", "é"]),
    ("find", "\ufffd+", "x\udcff\udcfey", None, "\udcff\udcfe"),
    ("replace", "y", "\udcffy", "z", "\udcffz"),
]

_METHODS = {
    "match": lambda rx, text, arg: rx.match_string(text),
    "find": lambda rx, text, arg: rx.find_string(text),
    "find_all": lambda rx, text, arg: rx.find_all_string(text, arg),
    "replace": lambda rx, text, arg: rx.replace_all_string(text, arg),
    "replace_literal": lambda rx, text, arg: rx.replace_all_literal_string(text, arg),
    "split": lambda rx, text, arg: rx.split(text, arg),
}


@pytest.mark.parametrize(("method", "pattern", "text", "arg", "expected"), CASES)
def test_go_semantics(method: str, pattern: str, text: str, arg: object, expected: object) -> None:
    assert _METHODS[method](regexp.compile(pattern), text, arg) == expected


# Go's messages for what Go rejects, whatever RE2 or Python's re would say.
ERRORS = [
    ("\\1", "invalid escape sequence: `\\1`"),  # back-references
    ("\\C", "invalid escape sequence: `\\C`"),  # RE2's any-byte
    ("\\Z", "invalid escape sequence: `\\Z`"),
    ("(?=x)", "invalid or unsupported Perl syntax: `(?=`"),
    ("(?P=n)", "invalid or unsupported Perl syntax: `(?P`"),
    ("(?P<é>a)", "invalid named capture: `(?P<é>`"),
    ("a**", "invalid nested repetition operator: `**`"),
    ("a*?+", "invalid nested repetition operator: `*?+`"),
    ("*?", "missing argument to repetition operator: `*?`"),
    ("{3,1}", "invalid repeat count: `{3,1}`"),  # the count is checked before the operand
    ("a{1001}", "invalid repeat count: `{1001}`"),
    ("(a{10}){101}?", "invalid repeat count: `{101}?`"),  # nested counts multiply
    ("((a{0}){1000}){1000}", "invalid repeat count: `{1000}`"),
    ("[z-a]", "invalid character class range: `z-a`"),
    ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
    ("\\p{Foo}", "invalid character class range: `\\p{Foo}`"),
    ("\\p{Old_Italic}", "invalid character class range: `\\p{Old_Italic}`"),  # Go 1.25 cannot reach it
    ("\\p{L\t}", "invalid character class range: `\\p{L\t}`"),
    ("[\\p{L]", "invalid character class range: `\\p{L]`"),
    ("x\\", "trailing backslash at end of expression: ``"),
    (")", "unexpected ): `)`"),
    ("(a", "missing closing ): `(a`"),
    ("[a", "missing closing ]: `[a`"),
    ("a\udcffbc", "invalid UTF-8: `\udcffbc`"),  # from the first invalid byte on
]


@pytest.mark.parametrize(("pattern", "message"), ERRORS)
def test_go_errors(pattern: str, message: str) -> None:
    with pytest.raises(RegexpSyntaxError) as info:
        regexp.compile(pattern)
    assert str(info.value) == "error parsing regexp: " + message


@pytest.mark.parametrize(
    "pattern",
    [
        "(?P<x>a)(?P<x>b)",  # Go accepts a repeated name
        "(?<n>a)",
        "\\p{Nko}\\p{greek}\\p{ASCII}\\p{Any}\\p{LC}\\p{Cn}\\p{Assigned}\\p{letter}",
        "(?:(?:a{2}){0}){1000}",  # Go does not look inside {0}; RE2 alone would refuse this
        "((a{2}){500})",
        "(?:a{1000}){0,}",
        "(" * 999 + "a" + ")" * 999,  # Go's parse tree may be 1000 deep ...
        "(" * 999 + "a|b" + ")" * 999,  # ... where a|b is one class
        "(?:" * 5000 + "a" + ")" * 5000,  # groups without captures add no depth
        "(?:" + "a" * 250 + "){1000}",
    ],
)
def test_go_accepts(pattern: str) -> None:
    regexp.compile(pattern).match_string("ab")


@pytest.mark.parametrize(
    "pattern",
    [
        "(" * 1000 + "a" + ")" * 1000,
        "(" * 999 + "a*" + ")" * 999,
        "(" * 999 + "a|bc" + ")" * 999,
    ],
)
def test_nesting_limit(pattern: str) -> None:
    with pytest.raises(RegexpSyntaxError) as info:
        regexp.compile(pattern)
    assert info.value.code == "expression nests too deeply" and info.value.text == pattern


@pytest.mark.parametrize(
    "pattern",
    [
        "(?:" + "a" * 4000 + "){1000}",  # Go: too large as well
        "\\pL{1000}",  # Go accepts this one; RE2 would need more than 8 MiB for it
    ],
)
def test_program_size_limit(pattern: str) -> None:
    with pytest.raises(RegexpSyntaxError) as info:
        regexp.compile(pattern)
    assert str(info.value) == f"error parsing regexp: expression too large: `{pattern}`"


@pytest.mark.parametrize(
    ("pattern", "re2"),
    [
        ("^a.b$", "\\Aa.b\\z"),
        ("(?m)^a$", "(?m:^)a(?m:$)"),
        ("(?s).(?i)ab", "(?s:.)(?i:ab)"),
        ("(?U)a+b*?", "a+?b*"),
        ("(?P<n>x)(?:y)", "(x)y"),
        ("[^\\d\\p{greek}[:alpha:]-]", "[^\\d\\p{Greek}[:alpha:]\\x{2d}]"),
        ("(a){0}", "(?:()){0}"),
    ],
)
def test_translation_for_re2(pattern: str, re2: str) -> None:
    assert translate(pattern).pattern == re2


def test_group_names_and_cache() -> None:
    rx = regexp.compile("(?P<a>x)(y)(?<b>z)")
    assert rx.names == ("", "a", "", "b") and rx.num_subexp == 3
    assert regexp.compile("(?P<a>x)(y)(?<b>z)") is rx


def test_quote_meta() -> None:
    assert regexp.quote_meta("1.5+2*[x]{}^$|()\\") == "1\\.5\\+2\\*\\[x\\]\\{\\}\\^\\$\\|\\(\\)\\\\"
    assert regexp.compile(regexp.quote_meta("a.b")).match_string("axb") is False


def test_known_difference_lazy_plus_of_a_nullable_star() -> None:
    # Go 1.25 finds "" here; RE2 finds "aa".  Documented in the README: should RE2
    # change, this test says the README can drop the difference.
    assert regexp.compile("(?:(?:|a)*)+?").find_string("aa") == "aa"


def test_submatches() -> None:
    # The examples of Go's regexp documentation.
    rx = regexp.compile("a(x*)b(y|z)c")
    assert rx.find_string_submatch("-axxxbyc-") == ["axxxbyc", "xxx", "y"]
    assert rx.find_string_submatch("-abzc-") == ["abzc", "", "z"]
    assert rx.find_string_submatch("-abc-") is None
    rx = regexp.compile("a(x*)b")
    assert rx.find_all_string_submatch("-ab-axb-", -1) == [["ab", ""], ["axb", "x"]]
    assert rx.find_all_string_submatch("-axxb-ab-", 1) == [["axxb", "xx"]]
    assert rx.find_all_string_submatch("-", -1) == []
    assert regexp.compile("(a)|b").find_string_submatch("b") == ["b", ""]
