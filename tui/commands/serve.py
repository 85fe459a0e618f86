"""`gpwatch serve`: the dashboard in a web browser, through textual-serve.

textual-serve starts one `gpwatch` process per browser tab and relays its
terminal over a websocket. That process is this interpreter (sys.executable,
so the same virtual environment) running this CLI on this data dir, so the
browser shows exactly the data the terminal would. There is no login: bound
to anything but loopback, anyone who can reach the port can read and change
the records, so the default is 127.0.0.1 and anything else is warned about.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys

from adapters.workspace import Workspace

NAME = "serve"
HELP = "serve the dashboard to a web browser (textual-serve) on 127.0.0.1:8000"
NO_LOGIN_WARNING = (
    "there is no login: anyone who can reach this address can read and change your records"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use to reach it when not http://HOST:PORT (a proxy)",
    )


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def app_command(workspace: Workspace) -> str:
    """The shell command textual-serve runs per browser session."""
    return shlex.join([sys.executable, "-m", "tui.cli", "--data-dir", str(workspace.data_dir)])


def public_url(host: str, port: int) -> str:
    # The page tells the browser where the websocket is; "0.0.0.0" is no address to
    # connect to, so a wildcard bind advertises this machine's name instead.
    if host in ("0.0.0.0", "::", ""):
        host = socket.getfqdn()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    if not 0 < args.port < 65536:
        print(f"gpwatch: error: --port {args.port} is not a port (1-65535)", file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(f"gpwatch: warning: serving on {args.host}: {NO_LOGIN_WARNING}", file=sys.stderr)
    # Imported here: aiohttp and textual-serve cost start-up time no other command needs.
    from textual_serve.server import Server

    server = Server(
        app_command(workspace),
        host=args.host,
        port=args.port,
        title="gpwatch",
        public_url=args.public_url or public_url(args.host, args.port),
    )
    try:
        server.serve()
    except OSError as exc:  # the port is taken, the address is not this machine's
        print(
            f"gpwatch: error: can not serve on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    return 0
