"""A Go ``text/template`` engine with Sprig v3 and docker-gen's functions.

Stages, one module each: ``lexer`` (text to tokens), ``parser`` (tokens to
the ``nodes`` tree), ``compiler`` (tree to Python source, compiled once),
``runtime`` (what that code calls), ``fmt`` (Go's value printing),
``builtins`` (``and``, ``index``, ``printf``, ...), the function families in
``sprig/`` and ``dockergen_funcs``, ``context`` (the data docker-gen passes)
and ``template`` (docker-gen's file-list semantics).
"""
