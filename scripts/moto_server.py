"""moto's server with one fidelity fix: DynamoDB requests are applied one at a time.

Real DynamoDB applies each request atomically: a conditional write or a transaction cannot
interleave with another write to the same items. moto's server handles requests on threads with
no locking, so two concurrent conditional puts can both see "absent" and both succeed, which made
the link-race conformance check fail intermittently under load. Serialising DynamoDB requests
restores the per-request atomicity posbridge relies on. SQS requests stay concurrent (long polls
must not block other requests).

Usage: python scripts/moto_server.py HOST PORT
"""

import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

_dynamodb = threading.Lock()


def serialise_dynamodb(app):
    def wrapped(environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("DynamoDB_"):
            with _dynamodb:
                # Consume the whole response inside the lock: the write happens while it is built.
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wrapped


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, serialise_dynamodb(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
