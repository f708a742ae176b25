"""The expression language: text → AST → typed AST → closures.

``parser`` (with ``grammar/rules.lark``, ``literals`` and ``syntax_errors``) turns text into the
``nodes`` of the AST; ``printer`` turns it back; ``checker`` types it (with ``lints`` and
``membership``); ``compiler`` makes closures; ``expression`` is the public entry point
(``compile_expression``); ``explain`` says why a compiled expression was false.
``functions`` holds the built-in functions, ``patterns`` the regex and wildcard matchers.
"""
