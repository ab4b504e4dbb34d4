"""The Flask service over the built graph."""
from flask import Flask, jsonify

from lmkg.paths import data_dir


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DATA_DIR=str(data_dir()))
    if test_config:
        app.config.from_mapping(test_config)

    from pathlib import Path
    from service.store import open_release_store
    store = open_release_store(Path(app.config["DATA_DIR"]))
    app.extensions["lmkg_store"] = store

    @app.get("/health")
    def health():
        return jsonify(status="ok", release=store.release.id)

    return app
