"""Sprig path functions (spec §9.13): Go's lexical path rules."""

import pytest

from dockergen.gotemplate.sprig.paths import FUNCTIONS


@pytest.mark.parametrize(
    "name, arg, expected",
    [
        ("base", "/etc/nginx/nginx.conf", "nginx.conf"), ("base", "dir/", "dir"), ("base", "", "."),
        ("base", "/", "/"), ("osBase", "a//b", "b"), ("base", "C:\\dir\\file.txt", "C:\\dir\\file.txt"),
        ("clean", "a//b/../c/./d/", "a/c/d"), ("clean", "", "."), ("clean", "/../x", "/x"),
        ("clean", "../../a", "../../a"), ("clean", "/a/b/../../..", "/"), ("osClean", "//a//b/./", "/a/b"),
        ("clean", "./", "."),
        ("ext", "x.tar.gz", ".gz"), ("ext", "noext", ""), ("ext", "/a.b/c", ""), ("osExt", ".bashrc", ".bashrc"),
        ("ext", "x.", "."),
        ("dir", "/etc/nginx/nginx.conf", "/etc/nginx"), ("sprigDir", "file", "."), ("osDir", "/", "/"),
        ("osDir", "a/b/", "a/b"), ("dir", "", "."),
        ("isAbs", "/a", True), ("isAbs", "", False), ("osIsAbs", "//x", True), ("isAbs", "C:/x", False),
    ],
)
def test_paths(name, arg, expected):
    assert FUNCTIONS[name].call(arg) == expected
