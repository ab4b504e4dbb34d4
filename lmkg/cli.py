"""The `lmkg` command: build the graph, validate it, query it, serve it."""
import argparse
import sys
from pathlib import Path

from lmkg.paths import data_dir


def cmd_build(args) -> int:
    from graph.build import BuildFailed, build
    try:
        build(args.data_dir)
    except BuildFailed as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def cmd_validate(args) -> int:
    from graph.build import BuildFailed, build_graphs, validate
    try:
        validate(build_graphs(print), print)
    except BuildFailed as error:
        print(error, file=sys.stderr)
        return 1
    print("valid: every SHACL shape and QC query passes")
    return 0


def cmd_query(args) -> int:
    from service.store import open_release_store
    text = Path(args.file).read_text() if args.file else args.sparql
    if not text:
        print("give a SPARQL query or --file", file=sys.stderr)
        return 2
    store = open_release_store(args.data_dir)
    sys.stdout.write(store.run_to_text(text, args.format))
    return 0


def cmd_serve(args) -> int:
    from service import create_app
    app = create_app({"DATA_DIR": str(args.data_dir)} if args.data_dir else None)
    app.run(host=args.host, port=args.port)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lmkg", description="LungMet KG: build, validate, query and serve the graph.")
    p.add_argument("--data-dir", type=Path, default=None,
                   help=f"where releases and service state live (default {data_dir()}, or LMKG_DATA_DIR)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build, reason, validate and write a release").set_defaults(func=cmd_build)
    sub.add_parser("validate", help="build in memory and run SHACL shapes and QC queries").set_defaults(func=cmd_validate)
    q = sub.add_parser("query", help="run a SPARQL query against the latest release")
    q.add_argument("sparql", nargs="?", help="the query text")
    q.add_argument("--file", help="read the query from a file")
    q.add_argument("--format", default="tsv", choices=["tsv", "csv", "json", "xml", "ttl", "nt"],
                   help="result format (SELECT/ASK: tsv csv json xml; CONSTRUCT/DESCRIBE: ttl nt)")
    q.set_defaults(func=cmd_query)
    s = sub.add_parser("serve", help="serve the latest release (building it first if there is none)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
