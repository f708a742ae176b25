"""``rulelang proxy``: a local Cloudflare cache in front of an origin (interfaces.md §6).

The command parses its flags, builds the rules watcher and the store, and runs
:func:`rulelang.proxy.server.serve`; docs/proxy.md describes the behaviour.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import re
import signal
import sys
from typing import TextIO

import click

from rulelang.cli.common import Failure, consoles, print_diagnostics, read_sources
from rulelang.errors import RuleLangError, RulesetError

__all__ = ["parse_listen", "parse_size", "proxy_command"]

_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000 ** 2, "mb": 1000 ** 2,
          "mib": 1024 ** 2, "g": 1000 ** 3, "gb": 1000 ** 3, "gib": 1024 ** 3}
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*\Z")


def parse_size(text: str) -> int:
    """``SIZE`` as ``--max-bytes`` takes it: ``1048576``, ``512MB``, ``1GiB``, ``64k``."""
    m = _SIZE.match(text)
    unit = m.group(2).lower() if m else ""
    if m is None or unit not in _UNITS:
        raise click.BadParameter(f"{text!r} is not a size (examples: 1048576, 512MB, 1GiB)")
    return int(float(m.group(1)) * _UNITS[unit])


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8787`` for IPv6; port 0 picks a free one)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise click.BadParameter(f"{text!r}: expected HOST:PORT such as 127.0.0.1:8787")
    return host.strip("[]") or "127.0.0.1", int(port)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _say(message: str) -> None:
    click.echo(f"rulelang proxy: {message}", err=True)


@click.command("proxy")
@click.option("--origin", required=True, metavar="URL",
              help="The origin server, e.g. http://127.0.0.1:8080.")
@click.option("--rules", "rules", multiple=True, metavar="PATH",
              help="Rules files, directories or globs (both phases); none: no rules.")
@click.option("--zone", metavar="FILE", help="Zone settings (JSON or YAML, cache-phases §0).")
@click.option("--listen", default="127.0.0.1:8787", show_default=True, metavar="HOST:PORT")
@click.option("--public-url", metavar="URL",
              help="The URL visitors use (scheme, host, port); default: the Host header.")
@click.option("--store", default="memory", show_default=True, metavar="memory|DIR",
              help="Keep the cache in memory, or in a directory that survives restarts.")
@click.option("--max-bytes", default="256MiB", show_default=True, metavar="SIZE",
              help="Bound on the stored bytes; least recently used objects go first.")
@click.option("--reload", is_flag=True, help="Reload the rules when a file changes.")
@click.option("--access-log", metavar="FILE|-", help="Write one line per request.")
def proxy_command(origin: str, rules: tuple[str, ...], zone: str | None, listen: str,
                  public_url: str | None, store: str, max_bytes: str, reload: bool,
                  access_log: str | None) -> int:
    """Run a caching reverse proxy that caches as Cloudflare would with these rules."""
    try:
        from rulelang.proxy.server import MAX_BODY, ProxyConfig, ProxyServer
    except ImportError as exc:
        raise Failure(f"rulelang proxy needs aiohttp ({exc.name} is missing): "
                      "pip install 'rulelang[proxy]'") from None
    from rulelang.engine import Engine
    from rulelang.proxy.store import open_store
    from rulelang.watch import RulesWatcher, load_zone

    _, err = consoles()
    host, port = parse_listen(listen)
    if not _loopback(host):
        _say(f"warning: listening on {host}: /.rulelang/purge and /.rulelang/status have no "
             "authentication")
    size = parse_size(max_bytes)

    def broken(diagnostics) -> None:
        print_diagnostics(err, diagnostics, read_sources(diagnostics))
        _say("the rules did not load; still running on the previous rules")

    try:
        if rules:
            source: RulesWatcher | Engine = RulesWatcher(
                list(rules), zone=zone, on_error=broken,
                on_reload=lambda e: _say(f"rules reloaded ({e.fingerprint[:12]})"))
        else:
            source = Engine([], zone=load_zone(zone) if zone else None)
    except RulesetError as exc:
        print_diagnostics(err, exc.diagnostics, read_sources(exc.diagnostics))
        raise Failure("the rules did not load; `rulelang lint` explains") from None
    log: TextIO | None = None
    with contextlib.ExitStack() as stack:
        if access_log == "-":
            log = sys.stdout
        elif access_log:
            try:
                log = stack.enter_context(open(access_log, "a", encoding="utf-8"))
            except OSError as exc:
                raise Failure(f"--access-log {access_log}: {exc.strerror or exc}") from None
        try:
            the_store = open_store(store, size)
            config = ProxyConfig(origin, public_url, log, max_body=min(size, MAX_BODY))
            server = ProxyServer(source, the_store, config)
        except (OSError, RuleLangError) as exc:
            raise Failure(str(exc)) from None
        try:
            asyncio.run(_run(server, host, port, reload))
        except OSError as exc:
            raise Failure(f"cannot listen on {listen}: {exc.strerror or exc}") from None
    return 0


async def _run(server, host: str, port: int, reload: bool) -> None:
    from rulelang.proxy.server import serve

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    def ready(bound_host: str, bound_port: int) -> None:
        # The rules and modules live as long as the server: keep them out of the cyclic
        # collector's full passes (a few per cent per MISS, measured by bench_proxy).
        gc.freeze()
        _say(f"listening on http://{bound_host}:{bound_port} -> {server.config.origin} "
             f"(rules {server.engine.fingerprint[:12]}, store {server.store.kind})")

    await serve(server, host, port, reload=reload, ready=ready, stop=stop)
