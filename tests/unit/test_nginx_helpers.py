"""nginxQuote, nginxMustParseHSTS and their predicates: sections 13 and 14."""

from __future__ import annotations

import jinja2
import pytest

from dockergen.errors import HelperError
from dockergen.helpers.nginx import (
    go_quote,
    has_unescaped_quoting_char,
    has_unescaped_special_chars,
    is_escaped_at,
    is_quoted,
    is_quoted_with,
    nginxMustParseHSTS,
    nginxQuote,
    quote_with,
)
from template_support import render


# Section 13.1.
QUOTE = [
    ('foo{bar', '"foo{bar"', ''),
    ('foo\\\\{bar', '"foo\\\\{bar"', ''),
    ('"foo{bar"', '"foo{bar"', ''),
    ('foo\\{bar', 'foo\\{bar', ''),
    ('foo}bar', '"foo}bar"', ''),
    ('foo\\\\}bar', '"foo\\\\}bar"', ''),
    ('"foo}bar"', '"foo}bar"', ''),
    ('foo\\}bar', 'foo\\}bar', ''),
    ('foo;bar', '"foo;bar"', ''),
    ('foo\\\\;bar', '"foo\\\\;bar"', ''),
    ('"foo;bar"', '"foo;bar"', ''),
    ('foo\\;bar', 'foo\\;bar', ''),
    ('foo#bar', '"foo#bar"', ''),
    ('foo\\\\#bar', '"foo\\\\#bar"', ''),
    ('"foo#bar"', '"foo#bar"', ''),
    ('foo\\#bar', 'foo\\#bar', ''),
    ('foo bar', '"foo bar"', ''),
    ('foo\\\\ bar', '"foo\\\\ bar"', ''),
    ('"foo bar"', '"foo bar"', ''),
    ('foo\\ bar', 'foo\\ bar', ''),
    ('foo\tbar', '"foo\tbar"', ''),
    ('foo\\\\\tbar', '"foo\\\\\tbar"', ''),
    ('"foo\tbar"', '"foo\tbar"', ''),
    ('foo\\\tbar', 'foo\\\tbar', ''),
    ("foo'bar", '"foo\'bar"', ''),
    ("foo\\\\'bar", '"foo\\\\\'bar"', ''),
    ('"foo\'bar"', '"foo\'bar"', ''),
    ("foo\\'bar", "foo\\'bar", ''),
    ('foo"bar', '\'foo"bar\'', ''),
    ('foo\\\\"bar', '\'foo\\\\"bar\'', ''),
    ('\'foo"bar\'', '\'foo"bar\'', ''),
    ('foo\\"bar', 'foo\\"bar', ''),
    ('', '', ''),
    ('foo\nbar', '', 'value must not contain line breaks: "foo\\nbar"'),
    ('foo\'bar"baz', '', 'value has both unescaped single and double quotes: "foo\'bar\\"baz"'),
]

# Section 13.2.
QUOTE_WITH = [
    ('value', '"', '"value"'),
    ('value', "'", "'value'"),
    ('foo\\"bar', '"', '"foo\\"bar"'),
    ('foo\\\\', '"', '"foo\\\\"'),
    ('foo\\', '"', '"foo\\\\"'),
]

# Section 13.3.
SPECIAL = [
    ('foo{bar', True),
    ('{foobar', True),
    ('foo\\{bar', False),
    ('"foo{bar"', False),
    ('foo}bar', True),
    ('}foobar', True),
    ('foo\\}bar', False),
    ('"foo}bar"', False),
    ('foo;bar', True),
    (';foobar', True),
    ('foo\\;bar', False),
    ('"foo;bar"', False),
    ('foo#bar', True),
    ('#foobar', True),
    ('foo\\#bar', False),
    ('"foo#bar"', False),
    ('foo bar', True),
    (' foobar', True),
    ('foo\\ bar', False),
    ('"foo bar"', False),
]

# Section 13.4.
UNESCAPED_SINGLE = [
    ("'", True),
    ("foo'bar", True),
    ("'foobar", True),
    ("foobar'", True),
    ("'foobar\\'", True),
    ("'foo'bar'", True),
    ("foo\\'bar", False),
    ("foobar\\'", False),
    ('"foo\'bar"', False),
    ('', False),
    ("''", False),
]

# Section 13.5.
UNESCAPED_DOUBLE = [
    ('"', True),
    ('foo"bar', True),
    ('"foobar', True),
    ('foobar"', True),
    ('"foobar\\"', True),
    ('"foo"bar"', True),
    ('foo\\"bar', False),
    ('\\"foobar', False),
    ('foobar\\"', False),
    ('\'foo"bar\'', False),
    ('', False),
    ('""', False),
]

# Section 13.6.
QUOTED_SINGLE = [
    ("'quoted'", True),
    ("''", True),
    ("'", False),
    ('"quoted"', False),
    ('unquoted', False),
    ("'unquoted\\'", False),
    ('\'unquoted"', False),
]

# Section 13.7.
QUOTED_DOUBLE = [
    ('"quoted"', True),
    ('""', True),
    ('"', False),
    ("'quoted'", False),
    ('unquoted', False),
    ('"unquoted\\"', False),
    ('"unquoted\'', False),
]

# Section 13.8.
QUOTED = [
    ('"quoted"', True),
    ("'quoted'", True),
    ('unquoted', False),
    ('"unquoted\'', False),
]

# Section 13.9.
ESCAPED_AT = [
    ('\\a', 0, False),
    ('\\a', -1, False),
    ('abc', 3, False),
    ('a\\', 2, False),
    ('abc', 2, False),
    ('a\\b', 2, True),
    ('a\\\\b', 3, False),
    ('a\\\\\\b', 4, True),
    ('foo\\"', 4, True),
    ('foo\\\\"', 5, False),
]

# Section 14.
HSTS = [
    ('max-age=300', 'max-age=300', ''),
    ('max-age=300; includeSubDomains', 'max-age=300; includeSubDomains', ''),
    ('max-age=31536000; includeSubDomains; preload', 'max-age=31536000; includeSubDomains; preload', ''),
    (' max-age=31536000 ; includeSubDomains ; preload ', 'max-age=31536000; includeSubDomains; preload', ''),
    ('Max-Age=31536000; includesubdomains; PRELOAD', 'max-age=31536000; includeSubDomains; preload', ''),
    (' ', '', 'HSTS value cannot be empty'),
    ('max-age=', '', 'invalid Strict-Transport-Security max-age directive: max-age='),
    ('max-age=300; server {}', '', 'unknown Strict-Transport-Security directive: server {}'),
    ('max-age=300foo', '', 'invalid Strict-Transport-Security max-age directive: max-age=300foo'),
    ('max-age=abc', '', 'invalid Strict-Transport-Security max-age directive: max-age=abc'),
    ('includeSubDomains', '', 'Strict-Transport-Security max-age directive must be greater than 0'),
    ('max-age=0', '', 'Strict-Transport-Security max-age directive must be greater than 0'),
    ('max-age=31536000; preload', '', 'Strict-Transport-Security preload directive requires includeSubDomains to be set'),
    ('max-age=31535999; includeSubDomains; preload', '', 'Strict-Transport-Security preload directive requires max-age to be at least 31536000 seconds (1 year)'),
    ('max-age=300;', '', 'unknown Strict-Transport-Security directive: '),
    ('max-age=300;;includeSubDomains', '', 'unknown Strict-Transport-Security directive: '),
    (';max-age=1', '', 'unknown Strict-Transport-Security directive: '),
    ('max-age = 300', '', 'unknown Strict-Transport-Security directive: max-age = 300'),
    ('max-age=0300', 'max-age=300', ''),
    ('max-age=300; max-age=600', 'max-age=600', ''),
    ('max-age=99999999999999999999', '', 'invalid Strict-Transport-Security max-age directive: max-age=99999999999999999999'),
    ('max-age=-1', '', 'invalid Strict-Transport-Security max-age directive: max-age=-1'),
    ('max-age=+5', '', 'invalid Strict-Transport-Security max-age directive: max-age=+5'),
    ('max-age="300"', '', 'invalid Strict-Transport-Security max-age directive: max-age="300"'),
    ('includesubdomains; max-age=5', 'max-age=5; includeSubDomains', ''),
    ('max-age=31536000;preload;includesubdomains', 'max-age=31536000; includeSubDomains; preload', ''),
    ('max-age=300;\tincludeSubDomains', 'max-age=300; includeSubDomains', ''),
    ('off', '', 'unknown Strict-Transport-Security directive: off'),
    ('max-age=300; includeSubDomains; includeSubDomains', 'max-age=300; includeSubDomains', ''),
]

# Section 13.10 (EXTRA, VERIFIED).
QUOTE_EXTRA = [
    ("foo", "foo", ""),
    (" foo ", "foo", ""),
    ("{foo", '"{foo"', ""),
    ("#x", '"#x"', ""),
    (";", '";"', ""),
    ("'foo bar'", "'foo bar'", ""),
    ('"foo bar\'', "", "value has both unescaped single and double quotes"),
    ('"foo\'bar"', '"foo\'bar"', ""),
    ('"foo"bar"', '\'"foo"bar"\'', ""),
    ("foo\\", "foo\\", ""),  # ends with one backslash, no specials: unchanged
    ("foo bar\\", '"foo bar\\\\"', ""),  # backslash doubled before the closing quote
    ("foo bar\\\\", '"foo bar\\\\"', ""),
    (" a\n", "a", ""),  # trimmed first, so no line-break error
    ("foo\r", "foo", ""),
    ("\t", "", ""),
    ("x\ty", '"x\ty"', ""),
    ("it's", '"it\'s"', ""),
    ('"', "'\"'", ""),
    ("'", '"\'"', ""),
    ("''", "''", ""),
    ('""', '""', ""),
    ('foo\\\\"bar', "'foo\\\\\"bar'", ""),
    ("é ü", '"é ü"', ""),
    ('"a b" c', "'\"a b\" c'", ""),
    ('a"b c', "'a\"b c'", ""),
    ("$host", "$host", ""),
    ("~^(.+)$", "~^(.+)$", ""),
    ("\\;", "\\;", ""),
    ("a;b", '"a;b"', ""),
    ('"unterminated', "'\"unterminated'", ""),
    ("a\nb", "", "value must not contain line breaks"),
]


@pytest.mark.parametrize(("value", "expected", "error"), QUOTE + QUOTE_EXTRA)
def test_nginx_quote(value: str, expected: str, error: str) -> None:
    if error:
        with pytest.raises(HelperError) as info:
            nginxQuote(value)
        assert error in str(info.value)
    else:
        assert nginxQuote(value) == expected


def test_nginx_quote_error_messages_quote_like_go() -> None:
    with pytest.raises(HelperError) as info:
        nginxQuote("foo\nbar")
    assert str(info.value) == 'value must not contain line breaks: "foo\\nbar"'
    with pytest.raises(HelperError) as info:
        nginxQuote("foo'bar\"baz")
    assert str(info.value) == 'value has both unescaped single and double quotes: "foo\'bar\\"baz"'


def test_nginx_quote_missing_and_wrong_types() -> None:
    assert nginxQuote(None) == ""
    assert nginxQuote(jinja2.Undefined()) == ""
    assert render("{{ env.NOPE|nginxQuote }}|{{ nginxQuote(env.NOPE) }}", env={}) == "|"
    with pytest.raises(HelperError, match="needs a string"):
        nginxQuote(80)


def test_nginx_quote_in_templates() -> None:
    assert render("{{ v|nginxQuote }}", v="foo bar") == '"foo bar"'
    assert render("{{ nginxQuote(v) }}", v="$host") == "$host"


def test_go_trim_space_is_used() -> None:
    # Go's TrimSpace keeps U+001C (Python's strip() removes it), removes U+3000.
    assert nginxQuote("\u3000foo\u3000") == "foo"
    assert nginxQuote("\x1cfoo") == "\x1cfoo"


@pytest.mark.parametrize(("value", "quote", "expected"), QUOTE_WITH)
def test_quote_with(value: str, quote: str, expected: str) -> None:
    assert quote_with(value, quote) == expected


@pytest.mark.parametrize(("value", "expected"), SPECIAL)
def test_has_unescaped_special_chars(value: str, expected: bool) -> None:
    assert has_unescaped_special_chars(value) is expected


@pytest.mark.parametrize(("value", "expected"), UNESCAPED_SINGLE)
def test_has_unescaped_single_quote(value: str, expected: bool) -> None:
    assert has_unescaped_quoting_char(value, "'") is expected


@pytest.mark.parametrize(("value", "expected"), UNESCAPED_DOUBLE)
def test_has_unescaped_double_quote(value: str, expected: bool) -> None:
    assert has_unescaped_quoting_char(value, '"') is expected


@pytest.mark.parametrize(("value", "expected"), QUOTED_SINGLE)
def test_is_quoted_with_single(value: str, expected: bool) -> None:
    assert is_quoted_with(value, "'") is expected


@pytest.mark.parametrize(("value", "expected"), QUOTED_DOUBLE)
def test_is_quoted_with_double(value: str, expected: bool) -> None:
    assert is_quoted_with(value, '"') is expected


@pytest.mark.parametrize(("value", "expected"), QUOTED)
def test_is_quoted(value: str, expected: bool) -> None:
    assert is_quoted(value) is expected


@pytest.mark.parametrize(("value", "index", "expected"), ESCAPED_AT)
def test_is_escaped_at(value: str, index: int, expected: bool) -> None:
    assert is_escaped_at(value, index) is expected


@pytest.mark.parametrize(("value", "expected", "error"), HSTS)
def test_nginx_must_parse_hsts(value: str, expected: str, error: str) -> None:
    if error:
        with pytest.raises(HelperError) as info:
            nginxMustParseHSTS(value)
        assert str(info.value) == error
    else:
        assert nginxMustParseHSTS(value) == expected


def test_hsts_missing_value_and_filter() -> None:
    with pytest.raises(HelperError, match="HSTS value cannot be empty"):
        nginxMustParseHSTS(jinja2.Undefined())
    assert render("{{ v|nginxMustParseHSTS }}", v="max-age=5") == "max-age=5"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a", '"a"'), ('a"b', '"a\\"b"'), ("a\\b", '"a\\\\b"'), ("\n\t", '"\\n\\t"'), ("\x00", '"\\x00"'), ("é", '"é"'), ("\u00a0", '"\\u00a0"')],
)
def test_go_quote(text: str, expected: str) -> None:
    assert go_quote(text) == expected
