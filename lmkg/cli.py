"""The `lmkg` command: build the graph, validate it, query it, serve it."""
import argparse
import os
import sys
from pathlib import Path

from lmkg.paths import data_dir


def cmd_build(args) -> int:
    from graph.build import BuildFailed, build
    from graph.release import MetadataInvalid
    from service.engine.store import prepare_name_index
    try:
        release = build(args.data_dir, keep=args.keep)
    except (BuildFailed, MetadataInvalid) as error:
        print(error, file=sys.stderr)
        return 1
    prepare_name_index(release)   # the service's name index, saved beside the store
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
    from service.engine.store import open_release_store
    store = open_release_store(args.data_dir)
    if args.canned:
        return run_canned_query(store, args)
    text = Path(args.file).read_text() if args.file else args.sparql
    if not text:
        print("give a SPARQL query, --file or --canned", file=sys.stderr)
        return 2
    sys.stdout.write(store.run_to_text(text, args.format))
    return 0


def run_canned_query(store, args) -> int:
    from lmkg.paths import QUERIES_DIR
    from service.engine.catalogue import ParameterError, expectation_failures, load_catalogue, run_canned
    from service.engine.resolve import name_index
    from service.engine.results import serialize
    catalogue = load_catalogue(QUERIES_DIR)
    query = catalogue[args.canned]
    index = name_index(store)
    params = dict(p.split("=", 1) for p in args.param)
    try:
        result = run_canned(store, index, query, params)
    except ParameterError as error:
        print(f"{error.status} {error.title}: {error.detail} {error.extra}", file=sys.stderr)
        return 1
    media = "text/turtle" if result.is_graph else "text/tab-separated-values"
    sys.stdout.write(serialize(result, media).decode())
    if args.check:
        failed = False
        for expectation in query.expect:
            failures = expectation_failures(run_canned(store, index, query, expectation.get("params", {})), expectation)
            print(f"expect {expectation.get('params')}: {'ok' if not failures else failures}", file=sys.stderr)
            failed = failed or bool(failures)
        return 1 if failed else 0
    return 0


def cmd_explain(args) -> int:
    """Every fact about an entity, asserted or inferred, with the chain that gives each inferred one."""
    import json
    from service.engine.catalogue import ParameterError
    from service.engine.explain import as_text, explain, resolve_entity
    from service.engine.resolve import name_index
    from service.engine.store import open_release_store
    store = open_release_store(args.data_dir)
    index = name_index(store)
    try:
        iri = resolve_entity(index, args.entity)
    except ParameterError as error:
        print(f"{error.status} {error.title}: {error.detail} {error.extra}", file=sys.stderr)
        return 1
    explanation = explain(store, index, iri)
    if args.format == "json":
        sys.stdout.write(json.dumps(explanation.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(as_text(explanation))
    return 0


def cmd_load(args) -> int:
    from graph.load import load_release
    from service.engine.store import ensure_release, release_by_id
    folder = args.data_dir or data_dir()
    release = release_by_id(folder, args.release) if args.release else ensure_release(folder)
    if release is None:
        print(f"no release {args.release!r} in {folder}", file=sys.stderr)
        return 1
    credentials = (args.user, args.password) if args.user else None
    load_release(release, args.endpoint, args.batch_size, credentials=credentials, graph_store=args.graph_store,
                 meta_only=args.meta_only)
    return 0


def cmd_bench(args) -> int:
    from lmkg.bench.run import Settings, run, smoke_settings
    settings = smoke_settings(args.out, args.cache) if args.smoke else Settings(out=args.out, cache=args.cache)
    if args.seconds:
        settings.seconds = args.seconds
    if args.sizes:
        settings.sizes = [int(float(size)) for size in args.sizes.split(",")]
    if args.no_anchors:
        settings.anchors = False
    if args.parts:
        settings.parts = tuple(args.parts.split(","))
    run(settings)
    return 0


def cmd_releases(args) -> int:
    from graph.release import kept_releases, latest_release, releases_dir
    folder = args.data_dir or data_dir()
    latest = latest_release(folder)
    for release in kept_releases(folder):
        mark = "  (LATEST)" if latest and release.id == latest.id else ""
        print(f"{release.id}  {release.date}  {sum(release.triples.values()):>7} triples  "
              f"previous {release.previous or '-'}{mark}")
    print(f"in {releases_dir(folder)}", file=sys.stderr)
    return 0


def cmd_prune(args) -> int:
    from graph.release import prune
    for removed in prune(args.data_dir or data_dir(), args.keep):
        print(f"pruned release {removed}")
    return 0


def cmd_diff(args) -> int:
    import json
    from graph.diff import UnknownRelease, diff, read_snapshot
    from graph.release import releases_dir
    root = releases_dir(args.data_dir or data_dir())
    try:
        changes = diff(read_snapshot(args.old, root), read_snapshot(args.new, root))
    except UnknownRelease as error:
        print(error, file=sys.stderr)
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(changes.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(changes.patch() if args.format == "patch" else changes.text())
    return 0


def cmd_saved_migrate(args) -> int:
    """Copy saved queries from one store to another (SQLite to PostgreSQL): ids, titles and dates kept;
    run again, nothing is copied twice."""
    from service.engine.saved_db import SQLITE_FILE, migrate, open_saved_store
    source_url = args.source or str((args.data_dir or data_dir()) / SQLITE_FILE)
    if not args.source and not Path(source_url).exists():
        print(f"no saved queries at {source_url}", file=sys.stderr)
        return 1
    try:
        source, target = open_saved_store(source_url), open_saved_store(args.target)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        counts = migrate(source, target)
    finally:
        source.close()
        target.close()
    print(f"copied {counts['copied']}, already there {counts['present']}, "
          f"conflicting ids left alone {counts['conflict']}")
    return 1 if counts["conflict"] else 0


def keep_count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("keep at least one release")
    return value


def cmd_serve(args) -> int:
    """The service under granian (a Rust HTTP server): worker processes that each create the app from
    the environment, so settings reach them as LMKG_* variables."""
    from granian import Granian
    from granian.constants import Interfaces
    from service.engine.store import ensure_release
    if args.data_dir:
        os.environ["LMKG_DATA_DIR"] = str(args.data_dir)
    # untrusted queries in flight per worker below its threads, so one is always free for /health and pages
    os.environ.setdefault("LMKG_ISOLATED_WORKERS", str(max(1, args.threads - 1)))
    host = f"[{args.host}]" if ":" in args.host else args.host
    os.environ.setdefault("LMKG_PUBLIC_BASE_URL", f"http://{host}:{args.port}")   # set it behind a proxy
    if args.endpoint:
        os.environ["LMKG_SPARQL_ENDPOINT"] = args.endpoint
    else:
        ensure_release(data_dir())   # built once here, not by every worker at once
    Granian("service:create_app", factory=True, interface=Interfaces.WSGI, address=args.host, port=args.port,
            workers=args.workers, blocking_threads=args.threads, respawn_failed_workers=True,
            log_access=False).serve()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lmkg", description="LungMet KG: build, validate, query and serve the graph.")
    p.add_argument("--data-dir", type=Path, default=None,
                   help=f"where releases and service state live (default {data_dir()}, or LMKG_DATA_DIR)")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build, reason, validate and write a release")
    b.add_argument("--keep", type=keep_count, default=os.environ.get("LMKG_KEEP_RELEASES"), metavar="N",
                   help="then delete all but the N newest releases (default: LMKG_KEEP_RELEASES, else keep all)")
    b.set_defaults(func=cmd_build)
    sub.add_parser("validate", help="build in memory and run SHACL shapes and QC queries").set_defaults(func=cmd_validate)
    q = sub.add_parser("query", help="run a SPARQL query against the latest release")
    q.add_argument("sparql", nargs="?", help="the query text")
    q.add_argument("--file", help="read the query from a file")
    q.add_argument("--format", default="tsv", choices=["tsv", "csv", "json", "xml", "ttl", "nt"],
                   help="result format (SELECT/ASK: tsv csv json xml; CONSTRUCT/DESCRIBE: ttl nt)")
    q.add_argument("--canned", help="run a canned query of queries/ by name")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a canned query parameter")
    q.add_argument("--check", action="store_true", help="also check the canned query's expected answers")
    q.set_defaults(func=cmd_query)
    e = sub.add_parser("explain", help="every fact about an entity: asserted or inferred, and from which "
                                       "statements, classes and chains")
    e.add_argument("entity", help="an IRI, a path such as id/drug/osimertinib, or a name (label, symbol, identifier)")
    e.add_argument("--format", default="text", choices=["text", "json"])
    e.set_defaults(func=cmd_explain)
    sub.add_parser("releases", help="list the kept releases, newest first").set_defaults(func=cmd_releases)
    pr = sub.add_parser("prune", help="delete all but the N newest releases (never the LATEST one)")
    pr.add_argument("--keep", type=keep_count, required=True, metavar="N")
    pr.set_defaults(func=cmd_prune)
    d = sub.add_parser("diff", help="what changed between two releases (ids, 'latest', folders or .nq/.trig files)")
    d.add_argument("old")
    d.add_argument("new")
    d.add_argument("--format", default="text", choices=["text", "json", "patch"],
                   help="text (grouped by entity, with labels), json, or an RDF Patch")
    d.set_defaults(func=cmd_diff)
    s = sub.add_parser("serve", help="serve the latest release (building it first if there is none)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--endpoint", help="remote mode: answer from this SPARQL 1.1 query endpoint (see `lmkg load`)")
    s.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    s.add_argument("--threads", type=int, default=2, help="threads per worker running requests (default 2)")
    s.set_defaults(func=cmd_serve)
    sv = sub.add_parser("saved", help="saved queries (/saved)").add_subparsers(dest="action", required=True)
    mg = sv.add_parser("migrate", help="copy saved queries into another database (e.g. SQLite to PostgreSQL); "
                                       "idempotent")
    mg.add_argument("--from", dest="source", metavar="URL",
                    help="sqlite:///path or postgresql://… (default: saved.sqlite3 in the data directory)")
    mg.add_argument("--to", dest="target", metavar="URL", required=True, help="postgresql://… or sqlite:///path")
    mg.set_defaults(func=cmd_saved_migrate)
    b = sub.add_parser("bench", help="measure query, HTTP, build and growth performance against the anchors")
    b.add_argument("--out", type=Path, default=Path("benchmarks/results"), help="where results go")
    b.add_argument("--cache", type=Path, default=Path(".bench"), help="where anchors' environments live")
    b.add_argument("--smoke", action="store_true", help="tiny sizes and durations (seconds): a check it runs")
    b.add_argument("--seconds", type=float, help="duration of each HTTP load scenario")
    b.add_argument("--sizes", help="synthetic sizes in triples, comma-separated (e.g. 1e5,1e6,1e7)")
    b.add_argument("--no-anchors", action="store_true", help="skip rdflib-endpoint and grlc")
    b.add_argument("--parts", help="some of inprocess,build,http,growth (default all); the others are kept "
                                   "from the previous run in --out")
    b.set_defaults(func=cmd_bench)
    ld = sub.add_parser("load", help="push a release into a SPARQL 1.1 store (SPARQL Update or Graph Store "
                                     "Protocol), in batches")
    target = ld.add_mutually_exclusive_group(required=True)
    target.add_argument("--endpoint", help="the store's SPARQL Update endpoint")
    target.add_argument("--graph-store", help="the store's Graph Store Protocol endpoint (Virtuoso: "
                                              "/sparql-graph-crud-auth; Oxigraph: /store)")
    ld.add_argument("--meta-only", action="store_true",
                    help="load only the meta graph (the release description), into a store bulk-loaded from "
                         "dataset.nq.gz")
    ld.add_argument("--release", help="the release id (default: the latest, built first if there is none)")
    ld.add_argument("--batch-size", type=int, default=10_000, help="triples per request")
    ld.add_argument("--user", help="HTTP user (Basic or Digest, as the store asks: Virtuoso's /sparql-auth)")
    ld.add_argument("--password", help="HTTP password")
    ld.set_defaults(func=cmd_load)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
