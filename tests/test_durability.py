"""Durability of saved queries: the real server (`lmkg serve`, as in production) is killed with SIGKILL in the
middle of a burst of saves; after a restart every save it acknowledged (201) is there, whole.

SQLite runs in WAL mode with synchronous=FULL and one transaction per save, committed before the 201 is
sent: a killed process loses nothing it acknowledged (with synchronous=NORMAL that would hold for a
killed process too, but not for a power cut; FULL covers both at the cost of an fsync per save)."""
import sqlite3
import threading
import time


from tests.live import http_request, running_server

CLIENTS = 8
KILL_AFTER_ACKS = 150   # kill once this many saves were acknowledged (mid-burst: the clients keep sending)


def burst(base_url: str, client: int, acknowledged: list, unanswered: list, stop: threading.Event) -> None:
    number = 0
    while not stop.is_set():
        text = f'SELECT ?client ?n WHERE {{ BIND({client} AS ?client) BIND({number} AS ?n) }} # save {client}-{number}'
        try:
            reply = http_request(base_url, "POST", "/saved", body=f'{{"query": "{text}", "title": "burst"}}',
                                 headers={"Content-Type": "application/json"}, timeout=10)
        except OSError:
            unanswered.append(text)  # the server died with this request in flight: never acknowledged
            return
        if reply.status == 201:
            acknowledged.append((reply.json()["id"], text))
        number += 1


def test_no_acknowledged_save_is_lost_when_the_server_is_killed(data_copy):
    acknowledged, unanswered, stop = [], [], threading.Event()
    with running_server(data_copy, workers=2, threads=4) as server:
        clients = [threading.Thread(target=burst, args=(server.url, n, acknowledged, unanswered, stop))
                   for n in range(CLIENTS)]
        for thread in clients:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < KILL_AFTER_ACKS and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()
        killed_at = len(acknowledged)
        for thread in clients:
            thread.join(timeout=30)
        stop.set()
    assert killed_at >= KILL_AFTER_ACKS, "the burst never got going"
    assert unanswered, "the kill did not land mid-burst"

    with running_server(data_copy, workers=1, threads=2) as restarted:
        lost = [(identifier, text) for identifier, text in acknowledged
                if http_request(restarted.url, "GET", f"/saved/{identifier}.rq").text() != text]
    assert lost == [], f"{len(lost)} of {len(acknowledged)} acknowledged saves lost"
    database = sqlite3.connect(data_copy / "saved.sqlite3")
    assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    print(f"\n{len(acknowledged)} saves acknowledged before SIGKILL, {len(unanswered)} in flight, 0 lost")


def test_the_saved_database_is_in_wal_mode_with_full_sync(data_copy):
    from service import create_app
    from service.api.saved import database
    app = create_app({"DATA_DIR": str(data_copy), "ISOLATED_WORKERS": 1})
    try:
        with app.app_context():
            connection = database()
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        app.extensions["lmkg"].close()
