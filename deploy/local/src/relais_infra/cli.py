"""`relais-infra up|down|status|logs`: the local Kafka and FerretDB, without Docker."""

from __future__ import annotations

import argparse
import sys

from relais_infra import servers
from relais_infra.layout import Layout
from relais_infra.process import LaunchError

_NAMES = ("kafka", "kafka-2", "kafka-3", "ferretdb")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="relais-infra", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("up", "start what is not running and wait until it answers"),
        ("down", "stop the servers this launcher started"),
        ("status", "say which servers are up (exit 1 when one is down)"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("servers", nargs="*", choices=[*_NAMES, []], metavar="SERVER")
        if name == "up":
            cmd.add_argument(
                "--brokers",
                type=int,
                choices=(1, 3),
                default=None,
                help="Kafka nodes: 3 for a KRaft cluster with replication factor 3 and "
                "min.insync.replicas=2 (kept in the state folder; default: what it holds, or 1)",
            )
    sub.add_parser("run", help="servers, topics and every service until Ctrl-C (make run)")
    logs = sub.add_parser("logs", help="print the tail of a server's log")
    logs.add_argument("server", choices=_NAMES)
    logs.add_argument("-n", "--lines", type=int, default=50)
    args = parser.parse_args(argv)

    layout = Layout.from_env(brokers=getattr(args, "brokers", None))
    only = set(getattr(args, "servers", None) or []) or None  # no names: every server
    try:
        match args.command:
            case "up":
                started = servers.up(layout, only)
                for line in servers.status(layout):
                    print(line.line())
                print("started: " + (", ".join(started) or "nothing (already running)"))
                print(f"RELAIS_KAFKA_BOOTSTRAP={layout.kafka_bootstrap}")
                print(f"RELAIS_MONGO_URI={layout.mongo_uri}")
                return 0
            case "down":
                stopped = servers.down(layout, only)
                print("stopped: " + (", ".join(stopped) or "nothing was running"))
                return 0
            case "status":
                states = [s for s in servers.status(layout) if not only or s.name in only]
                for state in states:
                    print(state.line())
                return 0 if all(s.healthy for s in states) else 1
            case "run":
                from relais_infra.run import run

                return run()
            case "logs":
                managed = {s.name: s.managed for s in servers.servers(layout)}[args.server]
                print(managed.log_tail(args.lines))
                return 0
    except LaunchError as exc:
        print(f"relais-infra: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
