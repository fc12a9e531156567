"""Log-in and reset timing (issue 12, A4): do answers take the same time whether or not an
address has an account? In-process (Flask's test client), SQLite, 200 accounts.

For a known address with a wrong password, an unknown address, and a password-less
(imported) account, it times a failed log-in and a reset request, alternating the kinds so
that the machine's drift hits all alike, and prints the medians. Throttles are off here: the
question is the time of one answer.

    .venv/bin/python benchmarks/login_timing.py [--repeat 40]

Last line: `RESULT login_known_ms=… login_unknown_ms=… login_ratio=… reset_known_ms=…
reset_unknown_ms=…` (ratio = known / unknown; 1.0 means nothing to learn from the clock).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.security import generate_password_hash

from config import Config
from summit import create_app
from summit.extensions import db
from summit.models import User


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = type(
            "BenchConfig",
            (Config,),
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'timing.db'}",
                "SECRET_KEY": "benchmark-key-not-for-production",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            },
        )
        app = create_app(config)
        with app.app_context():
            db.create_all()
            hashed = generate_password_hash("the-right-password", method="scrypt")
            db.session.add_all(
                User(email=f"person{i}@example.org", name=f"P {i}", password_hash=hashed)
                for i in range(200)
            )
            db.session.add(User(email="imported@example.org", name="Imported"))
            db.session.commit()
            db.engine.dispose()
        client = app.test_client()
        kinds = {
            "known": "person7@example.org",
            "unknown": "nobody@example.org",
            "imported": "imported@example.org",
        }
        login: dict[str, list[float]] = {k: [] for k in kinds}
        reset: dict[str, list[float]] = {k: [] for k in kinds}
        for attempt in range(args.repeat + 2):
            for kind, email in kinds.items():
                began = time.perf_counter()
                status = client.post(
                    "/login", data={"email": email, "password": "wrong-password"}
                ).status_code
                login_ms = (time.perf_counter() - began) * 1000
                began = time.perf_counter()
                client.post("/reset-password", data={"email": email})
                reset_ms = (time.perf_counter() - began) * 1000
                assert status == 401, status
                if attempt >= 2:
                    login[kind].append(login_ms)
                    reset[kind].append(reset_ms)
        medians = {k: statistics.median(v) for k, v in login.items()}
        resets = {k: statistics.median(v) for k, v in reset.items()}
        for kind in kinds:
            print(
                f"{kind:9} failed log-in median {medians[kind]:6.1f} ms · "
                f"reset request median {resets[kind]:6.1f} ms"
            )
        print(
            f"RESULT login_known_ms={medians['known']:.1f} "
            f"login_unknown_ms={medians['unknown']:.1f} "
            f"login_ratio={medians['known'] / medians['unknown']:.2f} "
            f"reset_known_ms={resets['known']:.1f} reset_unknown_ms={resets['unknown']:.1f}"
        )


if __name__ == "__main__":
    main()
