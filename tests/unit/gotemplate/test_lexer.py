"""The lexer on its own: token kinds, byte positions, lines, trim markers, lexical errors.

Positions are byte offsets of the UTF-8 source because Go reports execution
error columns in bytes; lines are what parse errors show.
"""

from __future__ import annotations

import pytest

from dockergen.gotemplate import lexer as L
from dockergen.gotemplate.lexer import lex


def kinds(text: str) -> list[tuple[str, str]]:
    """(type, value) of every token but EOF."""
    return [(t.type, t.value) for t in lex(text) if t.type != L.EOF]


def last(text: str) -> L.Token:
    return lex(text)[-1]


# --- text and actions -------------------------------------------------------------


def test_plain_text_is_one_token_then_eof() -> None:
    tokens = lex("hello\nworld")
    assert [(t.type, t.value) for t in tokens] == [(L.TEXT, "hello\nworld"), (L.EOF, "")]
    assert tokens[-1].line == 2


def test_empty_input_is_just_eof() -> None:
    assert [(t.type, t.pos, t.line) for t in lex("")] == [(L.EOF, 0, 1)]


def test_action_tokens_and_fields_glued_to_terms() -> None:
    assert kinds("a{{.A.B $x.C}}b") == [
        (L.TEXT, "a"), (L.LEFT, "{{"), (L.FIELD, ".A"), (L.FIELD, ".B"), (L.SPACE, " "),
        (L.VARIABLE, "$x"), (L.FIELD, ".C"), (L.RIGHT, "}}"), (L.TEXT, "b"),
    ]


def test_every_operator_and_literal_kind() -> None:
    text = '{{$v := (f "s" `r` \'c\' 1 1.5 2i 1+2i true false nil . $) | g, $w = 1}}'
    types = [t for t, _ in kinds(text) if t != L.SPACE]
    assert types == [
        L.LEFT, L.VARIABLE, L.DECLARE, L.LPAREN, L.IDENT, L.STRING, L.RAW_STRING, L.CHAR_CONST, L.NUMBER,
        L.NUMBER, L.NUMBER, L.COMPLEX, L.BOOL, L.BOOL, L.NIL, L.DOT, L.VARIABLE, L.RPAREN, L.PIPE, L.IDENT,
        L.COMMA, L.VARIABLE, L.ASSIGN, L.NUMBER, L.RIGHT,
    ]


@pytest.mark.parametrize("word", sorted(L.KEYWORDS))
def test_keywords(word: str) -> None:
    assert kinds("{{" + word + "}}")[1] == (L.KEYWORD, word)


def test_keyword_prefix_is_an_identifier() -> None:
    assert kinds("{{ender}}")[1] == (L.IDENT, "ender")
    assert kinds("{{.end}}")[1] == (L.FIELD, ".end")  # keywords as field names are fine


def test_close_delimiter_inside_string_does_not_close() -> None:
    assert kinds('{{ "}}" }}')[2] == (L.STRING, '"}}"')
    assert kinds("{{ `}}` }}")[2] == (L.RAW_STRING, "`}}`")


def test_unicode_identifiers_fields_and_variables() -> None:
    assert kinds("{{$ñ .Ñame fünc $_1 .a_1}}")[1:-1:2] == [
        (L.VARIABLE, "$ñ"), (L.FIELD, ".Ñame"), (L.IDENT, "fünc"), (L.VARIABLE, "$_1"), (L.FIELD, ".a_1"),
    ]


def test_lone_dollar_and_dot() -> None:
    assert kinds("{{$}}")[1] == (L.VARIABLE, "$")
    assert kinds("{{.}}")[1] == (L.DOT, ".")
    assert kinds("{{ . }}")[2] == (L.DOT, ".")


def test_dot_followed_by_digit_is_a_number() -> None:
    assert kinds("{{.5}}")[1] == (L.NUMBER, ".5")
    assert kinds("{{ .Env.1 }}")[2:4] == [(L.FIELD, ".Env"), (L.NUMBER, ".1")]


def test_other_ascii_is_a_char_token() -> None:
    assert kinds("{{ @ }}")[2] == (L.CHAR, "@")


# --- numbers ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["42", "-3", "+3", "0x1F", "0X1f", "0o17", "017", "0b101", "1_000", "0x_1F",
                                  "1.5", ".5", "1.", "1e3", "1E-3", "1.e3", "0x1p4", "2i"])
def test_number_forms(text: str) -> None:
    assert kinds("{{" + text + "}}")[1] == (L.NUMBER, text)


def test_minus_without_space_belongs_to_the_number() -> None:
    assert kinds("{{-3}}") == [(L.LEFT, "{{"), (L.NUMBER, "-3"), (L.RIGHT, "}}")]


def test_complex_constant() -> None:
    assert kinds("{{1+2i}}")[1] == (L.COMPLEX, "1+2i")


@pytest.mark.parametrize(("text", "message"), [
    ("{{3a}}", 'bad number syntax: "3a"'),
    ("{{3-}}", 'bad number syntax: "3-"'),
    ("{{1+2}}", 'bad number syntax: "1+2"'),
    ("{{0x1g}}", 'bad number syntax: "0x1g"'),
])
def test_bad_numbers(text: str, message: str) -> None:
    token = last(text)
    assert (token.type, token.value) == (L.ERROR, message)


# --- positions and lines ----------------------------------------------------------


def test_positions_are_byte_offsets_after_non_ascii_text() -> None:
    tokens = lex("é{{ 1 }}")
    assert [(t.type, t.pos) for t in tokens] == [
        (L.TEXT, 0), (L.LEFT, 2), (L.SPACE, 4), (L.NUMBER, 5), (L.SPACE, 6), (L.RIGHT, 7), (L.EOF, 9)]


def test_positions_count_bytes_of_non_ascii_inside_actions() -> None:
    tokens = [t for t in lex('{{"日本" .X}}') if t.type == L.FIELD]
    assert tokens[0].pos == 2 + 8 + 1  # "{{" + the 8-byte string + a space


def test_positions_count_escaped_bytes_as_one_byte() -> None:
    # A byte that is not UTF-8 (a lone surrogate here) is one byte in the source.
    tokens = lex("\udcff{{.X}}")
    assert tokens[1].pos == 1


def test_lines_advance_through_text_actions_and_raw_strings() -> None:
    text = "a\nb{{ `x\ny` }}\n{{\n.A\n}}{{/* c\n */}}{{.B}}"
    lines = {t.value: t.line for t in lex(text) if t.type in (L.RAW_STRING, L.FIELD)}
    assert lines == {"`x\ny`": 2, ".A": 5, ".B": 7}
    assert lex(text)[-1].line == 7


def test_crlf_text_keeps_carriage_returns_and_counts_lines_by_lf() -> None:
    tokens = lex("x\r\n{{ 1 }}\r\n")
    assert tokens[0].value == "x\r\n"
    assert [(t.type, t.line) for t in tokens][1] == (L.LEFT, 2)
    assert tokens[-2].value == "\r\n"
    assert tokens[-1].line == 3


# --- trim markers -----------------------------------------------------------------


def test_trim_markers_remove_adjacent_white_space_across_lines() -> None:
    # The marker is not part of the closing token: Go names it "}}" in errors.
    assert kinds("a \n\t\r\n {{- 1 -}} \n\r\n b") == [
        (L.TEXT, "a"), (L.LEFT, "{{"), (L.NUMBER, "1"), (L.RIGHT, "}}"), (L.TEXT, "b")]


def test_trimmed_away_text_disappears() -> None:
    assert kinds("  {{- 1 -}}  ") == [(L.LEFT, "{{"), (L.NUMBER, "1"), (L.RIGHT, "}}")]


def test_trim_marker_needs_white_space_after_the_dash() -> None:
    assert kinds("a {{-3}}")[0] == (L.TEXT, "a ")


@pytest.mark.parametrize("space", ["\t", "\r", "\n"])
def test_trim_marker_accepts_any_action_space(space: str) -> None:
    assert kinds("a {{-" + space + "1" + space + "-}} b") == [
        (L.TEXT, "a"), (L.LEFT, "{{"), (L.NUMBER, "1"), (L.RIGHT, "}}"), (L.TEXT, "b")]


@pytest.mark.parametrize("space", ["\v", "\f", "\u00a0", "\u2003"])
def test_trim_does_not_remove_other_white_space(space: str) -> None:
    assert kinds(space + " {{- 1 -}} " + space) == [
        (L.TEXT, space), (L.LEFT, "{{"), (L.NUMBER, "1"), (L.RIGHT, "}}"), (L.TEXT, space)]


def test_trim_lines_are_counted() -> None:
    tokens = lex("{{1 -}}\n\n\n{{.X}}")
    assert [t.line for t in tokens if t.type == L.FIELD] == [4]


def test_space_before_right_trim_is_not_a_space_token() -> None:
    assert kinds("{{1 -}}") == [(L.LEFT, "{{"), (L.NUMBER, "1"), (L.RIGHT, "}}")]
    assert kinds("{{1  -}}") == [(L.LEFT, "{{"), (L.NUMBER, "1"), (L.SPACE, " "), (L.RIGHT, "}}")]


# --- comments ---------------------------------------------------------------------


def test_comment_produces_no_tokens() -> None:
    assert kinds("a{{/* x\n y */}}b") == [(L.TEXT, "a"), (L.TEXT, "b")]


def test_trimmed_comment_trims_both_sides() -> None:
    assert kinds("a \n{{- /* c */ -}}\n b") == [(L.TEXT, "a"), (L.TEXT, "b")]


def test_comment_with_left_trim_only() -> None:
    assert kinds("a {{- /* c */}} b") == [(L.TEXT, "a"), (L.TEXT, " b")]


@pytest.mark.parametrize(("text", "message"), [
    ("{{/* unclosed }}", "unclosed comment"),
    ("{{/* c */ 3}}", "comment ends before closing delimiter"),
    ("{{/* c */-}}", "comment ends before closing delimiter"),
])
def test_comment_errors(text: str, message: str) -> None:
    token = last(text)
    assert (token.type, token.value) == (L.ERROR, message)


# --- lexical errors ---------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ('{{ "a', "unterminated quoted string"),
    ('{{ "a\nb" }}', "unterminated quoted string"),
    ("{{ `a", "unterminated raw quoted string"),
    ("{{ 'a", "unterminated character constant"),
    ("{{ 1", "unclosed action"),
    ("{{(1}}", "unclosed left paren"),
    ("{{1)}}", "unexpected right paren"),
    ("{{ : }}", "expected :="),
    ("{{.Name+1}}", "bad character U+002B '+'"),
    ("{{ .Env.my-key }}", "bad character U+002D '-'"),
    ("{{ $x# }}", "bad character U+0023 '#'"),
    ("{{ § }}", "unrecognized character in action: U+00A7 '§'"),
    ("{{ \x01 }}", "unrecognized character in action: U+0001"),
])
def test_lexical_errors(text: str, message: str) -> None:
    token = last(text)
    assert (token.type, token.value) == (L.ERROR, message)


def test_error_token_ends_the_stream_and_keeps_earlier_tokens() -> None:
    tokens = lex("ok{{ 1 }}{{ @ }}{{ \"a")
    assert tokens[0].value == "ok"
    assert tokens[-1].type == L.ERROR
    assert all(t.type != L.EOF for t in tokens)


def test_error_line_is_the_line_where_the_token_starts() -> None:
    assert last("{{ 1 }}\n\n{{ \"a").line == 3
    assert last("x\n{{ `a\n\nb").line == 2


def test_escaped_quote_does_not_end_a_string() -> None:
    assert kinds(r'{{ "a\"}}" }}')[2] == (L.STRING, r'"a\"}}"')
    assert kinds(r"{{ '\'' }}")[2] == (L.CHAR_CONST, r"'\''")


def test_describe_names_tokens_as_go_errors_do() -> None:
    by_type = {t.type: t for t in lex('{{end "x" @}}')}
    assert by_type[L.KEYWORD].describe() == "<end>"
    assert by_type[L.STRING].describe() == '"\\"x\\""'
    assert by_type[L.CHAR].describe() == '"@"'
    assert lex("")[0].describe() == "EOF"
