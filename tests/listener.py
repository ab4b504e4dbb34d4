"""A loopback HTTP listener for SSRF tests: counts every connection made to it, and answers any POST or
GET as a SPARQL endpoint with one fixed solution (so an allowed federated call has something to return).

    with Listener() as listener:
        ... listener.url, listener.connections
"""
import http.server
import json
import threading
import time

ANSWER_IRI = "http://example.org/answer-from-the-listener"
ANSWER = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": ANSWER_IRI}}]}})


class _Handler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append((self.command, self.path, self.rfile.read(length).decode("utf-8", "replace")))
        body = ANSWER.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *args):  # quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request, client_address):
        self.connections.append(client_address)
        return True


class Listener:
    def __init__(self):
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.connections, self.server.requests = [], []
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def connections(self) -> list:
        return self.server.connections

    @property
    def requests(self) -> list:
        return self.server.requests

    def settle(self, seconds: float = 0.3) -> None:
        """Give a connection that is on its way the time to arrive before counting."""
        time.sleep(seconds)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
