"""The ``rulelang`` command line: one module a command; they parse arguments, call the library
and print. Only this package imports click and rich."""

from rulelang.cli.main import main as main
