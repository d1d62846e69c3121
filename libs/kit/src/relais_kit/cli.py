"""`relais`: developer commands of the kit.

    relais token --sub alice --role justice_clerk --org tj-paris --jurisdiction 75 [--ttl 8h]

prints an HS256 token signed with the development secret (`RELAIS_AUTH_SECRET`, or the public
default), carrying `RELAIS_AUTH_ISSUER`/`RELAIS_AUTH_AUDIENCE` when they are set.

    relais topics

creates the missing Relais topics on `RELAIS_KAFKA_BOOTSTRAP` (settings `RELAIS_TOPICS_*`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Sequence

from relais_kit.auth.principal import TOKEN_ROLES
from relais_kit.auth.tokens import mint_dev_token
from relais_kit.settings import AuthSettings

_TTL = re.compile(r"^(\d+)([smhd])$")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_ttl(text: str) -> dt.timedelta:
    """`90s`, `30m`, `8h`, `2d`."""
    match = _TTL.match(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r}: use a number and s, m, h or d, e.g. 8h")
    return dt.timedelta(**{_UNIT[match.group(2)]: int(match.group(1))})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relais", description="Relais developer commands")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a development bearer token (HS256)")
    token.add_argument("--sub", required=True, help="subject: the user's stable id")
    token.add_argument(
        "--role",
        action="append",
        required=True,
        choices=sorted(r.value for r in TOKEN_ROLES),
        help="a role; repeat for several",
    )
    token.add_argument("--org", required=True, help="the user's organisation, e.g. tj-paris")
    token.add_argument(
        "--jurisdiction",
        action="append",
        default=[],
        help="a département code (75, 2A, 971; '*' national, auditors and admins only); repeat",
    )
    token.add_argument("--ttl", type=parse_ttl, default=dt.timedelta(hours=8), help="default 8h")
    commands.add_parser("topics", help="create the missing topics (idempotent)")
    return parser


def _topics() -> int:
    import os

    from relais_kit.topics import TopicSettings, ensure_topics

    bootstrap = os.environ.get("RELAIS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    report = ensure_topics(bootstrap, TopicSettings())
    for name in report.created:
        print(f"created  {name}")
    for name in report.existing:
        print(f"existing {name}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "topics":
        return _topics()
    try:
        settings = AuthSettings()
        token = mint_dev_token(
            settings,
            sub=args.sub,
            roles=args.role,
            org=args.org,
            jurisdictions=args.jurisdiction,
            ttl=args.ttl,
        )
    except ValueError as exc:  # bad RELAIS_AUTH_*, JWKS configured, or a refused claim
        print(f"relais token: {exc}", file=sys.stderr)
        return 2
    if settings.uses_dev_secret:
        print("relais token: signed with the public dev secret (development only)", file=sys.stderr)
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
