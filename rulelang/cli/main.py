r"""The ``rulelang`` command line: ``lint``, ``eval``, ``trace``, ``test``, ``fmt``,
``fields`` and ``functions`` (interfaces.md §3).

This module holds the command group, the shared options and the error policy; each
command lives in its own ``cli_*`` module.  Exit codes: 0 success, 1 findings (lint
errors, failed test cases, files that ``fmt --check`` would change), 2 bad usage or
input that cannot be read.  Errors are one line on stderr — no traceback unless
``--debug`` (or ``RULELANG_DEBUG=1``) — and Ctrl-C ends quietly.

Decisions where interfaces.md §3 is silent:

- A reader that goes away (``rulelang eval | head``) is not an error: exit 0, nothing on
  stderr (neither rich's nor click's own handling, which both exit 1).
- ``lint`` exits 2, not 1, when a file cannot be checked at all (RS001–RS007: unreadable,
  not UTF-8, not JSON/YAML/HCL, not a rule set, no phase); the diagnostics are still
  reported in the chosen format, then one stderr line names each such file.
- ``eval --rules PATH`` without ``--samples`` runs the rules on the example samples.
- ``trace --field NAME=VALUE``: VALUE is the text itself for a String field, JSON otherwise.
- ``test`` checks every case file (keys, requests and responses, phases under
  ``matched``, rules files) before running any case: a mistake there exits 2.
- ``fmt`` writes bytes: line endings, a byte-order mark and ``\u`` escapes of an ASCII
  string are kept; it writes through a temporary file renamed over the original, so a
  failure leaves the original as it was (docs/robustness.md).
- ``-`` is standard input for every reader; output that is not a terminal is not cut to a
  width; Ctrl-C exits 130 at any moment once rulelang's code runs.
- SARIF ``artifactLocation.uri`` is the path as given, percent-encoded (RFC 3986);
  ``columnKind`` is ``unicodeCodePoints``.
- ``--rules PATH ...`` (eval, trace, test, replay) takes every following path, as
  interfaces.md §3 writes it, besides the repeated ``--rules A --rules B`` form: for
  ``trace`` the run stops at the URL (a token with ``://``), for ``test`` at the first case
  file (a YAML mapping with ``cases``), for ``replay`` (also ``--compare-rules PATH ...``)
  at the first path that is not a directory or a rules file (its first log).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Sequence

import click

from rulelang import __version__
from rulelang.cli.common import PROG, Failure
from rulelang.errors import RuleLangError

__all__ = ["cli", "main"]

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _PipeClosed(Exception):
    """The reader of stdout went away; raised instead of :class:`BrokenPipeError` so that
    click does not turn it into ``sys.exit(1)``."""


class _Interrupted(Exception):
    """Ctrl-C, raised instead of :class:`KeyboardInterrupt` so that click does not print
    its own empty line before ours."""


#: Each command: its module, the click command in it, and the first paragraph of its help
#: (what ``rulelang --help`` lists; tests/cli/test_lazy_commands.py keeps it true).
#: A command's module is imported only when the command is run or asked for.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "eval": ("rulelang.cli.eval", "eval_command",
             "Evaluate rule sets on sample requests and show the cache decision of each."),
    "fields": ("rulelang.cli.schema", "fields_command",
               "List the fields of the schema: name, type, phases and description."),
    "fmt": ("rulelang.cli.fmt", "fmt_command",
            ("Format the expressions of rules files in place (JSON, YAML, Terraform), or one "
            "expression given with --expr.")),
    "functions": ("rulelang.cli.schema", "functions_command",
                  "List the functions of the language with their signatures."),
    "lint": ("rulelang.cli.lint", "lint_command",
             "Check rules files, directories of rules files, or one expression (--expr)."),
    "proxy": ("rulelang.cli.proxy", "proxy_command",
              "Run a caching reverse proxy that caches as Cloudflare would with these rules."),
    "replay": ("rulelang.cli.replay", "replay_command",
               ("Replay logged traffic against your rules, over time: hit ratios, per-rule "
                "hits, and a what-if with --compare-rules.")),
    "test": ("rulelang.cli.test", "test_command",
             ("Run the test cases in CASES (YAML case files or directories of them; '-' reads "
              "one case file from stdin, its rules relative to the current directory).")),
    "trace": ("rulelang.cli.trace", "trace_command",
              ("Trace one request to URL through the rules: each rule, whether it matched and "
              "why not, then the cache decision with its reasons.")),
}


class _Group(click.Group):
    """The command group; commands are imported on first use (fast start)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _PipeClosed() from None
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            module, attribute, _ = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`COMMANDS`, without importing any command."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.commands or name not in COMMANDS:
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                stand_in = click.Command(name, help=COMMANDS[name][2])
                rows.append((name, stand_in.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_Group, context_settings=_CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name=PROG)
@click.option("--debug", is_flag=True, help="Show the Python traceback of an error.")
def cli(debug: bool) -> None:
    """Compiler, linter and offline engine for Cloudflare's Rules language in the
    cache phases (Cache Rules and Cache Response Rules).

    \b
    Start with `rulelang eval`: it runs the example rule sets shipped with rulelang
    on their sample requests and shows what Cloudflare's cache would do.
    """



def _say(message: str) -> None:
    from rulelang.files import shorten

    try:
        click.echo(shorten(message, 1000), err=True)
    except OSError:
        pass


_RULES_COMMANDS = ("eval", "trace", "test", "proxy", "replay")
#: Options that take several paths after one flag.
_SPREAD_OPTIONS = ("--rules", "--compare-rules")


def _is_case_file(token: str) -> bool:
    """Whether ``token`` names a ``rulelang test`` case file (a YAML mapping with ``cases``)."""
    from rulelang.testing import looks_like_case_file

    return looks_like_case_file(token)


def _is_rules_path(token: str) -> bool:
    """Whether ``token`` names rules for ``replay`` (a directory, or a rules file) rather
    than a log (JSON Lines, gzip, HAR, a samples array)."""
    from pathlib import Path

    from rulelang.rules.files import RULES_SUFFIXES
    from rulelang.rules.paths import looks_like_rules

    path = Path(token)
    if path.is_dir():
        return True
    if path.suffix.lower() not in RULES_SUFFIXES:
        return False
    try:
        if path.stat().st_size > 4 << 20:
            return False  # a rules file is small; a log need not be
    except OSError:
        return True  # a missing file: reported as a rules path
    return looks_like_rules(path)


def _is_url(token: str) -> bool:
    """Whether a token after ``trace --rules A`` is the URL, not another rules path: it
    has a scheme, or it names nothing on disk and is no rules-file name
    (``www.example.com/x``)."""
    from pathlib import Path

    from rulelang.rules.files import RULES_SUFFIXES

    return "://" in token or (token != "-" and not os.path.exists(token)
                              and Path(token).suffix.lower() not in RULES_SUFFIXES)


def spread_rules(args: list[str]) -> list[str]:
    """``--rules A B C`` → ``--rules A --rules B --rules C`` (see the module docstring)."""
    command = next((a for a in args if not a.startswith("-")), None)
    if command not in _RULES_COMMANDS or "--" in args:
        return args
    out: list[str] = []
    i = 0
    while i < len(args):
        out.append(args[i])
        flag = args[i]
        if flag not in _SPREAD_OPTIONS or (flag != "--rules" and command != "replay"):
            i += 1
            continue
        i += 1
        first = True
        while i < len(args) and not args[i].startswith("-"):
            token = args[i]
            if not first and ((command == "trace" and _is_url(token))
                              or (command == "test" and _is_case_file(token))
                              or (command == "replay" and not _is_rules_path(token))):
                break
            if not first:
                out.append(flag)
            out.append(token)
            first = False
            i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    args = spread_rules(list(sys.argv[1:] if argv is None else argv))
    debug = os.environ.get("RULELANG_DEBUG", "") not in ("", "0")
    if "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args:
        debug = True
        args = [a for a in args if a != "--debug"]
    try:
        result = cli.main(args=args, prog_name=PROG, standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.exceptions.NoArgsIsHelpError as e:
        click.echo(e.format_message())
        return 0
    except click.UsageError as e:
        command = e.ctx.command_path if e.ctx is not None else PROG
        _say(f"{command}: error: {e.format_message()} (see '{command} --help')")
        return e.exit_code
    except click.ClickException as e:
        _say(f"{PROG}: error: {e.format_message()}")
        return e.exit_code
    except (KeyboardInterrupt, click.Abort, _Interrupted):
        _say(f"{PROG}: interrupted")
        return 130
    except (BrokenPipeError, _PipeClosed):
        # The reader went away (`rulelang eval | head`): not an error.
        # Point stdout at /dev/null so that the interpreter's final flush is silent
        # (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    except Failure as e:
        if debug:
            traceback.print_exc()
        if e.message:
            _say(f"{PROG}: error: {e.message}")
        return e.exit_code
    except (RuleLangError, OSError, UnicodeError) as e:
        if debug:
            traceback.print_exc()
        _say(f"{PROG}: error: {_one_line(e)}")
        return 2
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a traceback
        if debug:
            traceback.print_exc()
        _say(f"{PROG}: internal error: {type(e).__name__}: {e} "
             f"(run with --debug for the traceback and please report it)")
        return 2


def _one_line(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return f"{e.filename}: {e.strerror}" if e.filename else e.strerror
    text = str(e).strip() or type(e).__name__
    first = text.splitlines()[0]
    return first
