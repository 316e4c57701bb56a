"""Memory while a mailbox is imported over IMAP: dovecot on loopback (as in the tests) holds
N messages in its Maildir; the plugin's poll stores them one at a time. Prints the traced
peak of the import of a first part and of the rest (several times larger): equal peaks mean
memory does not grow with the mailbox.

    uv run python benchmarks/email_mailbox_import.py [--messages 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "plugins" / "email"))

from certs import loopback_certificate
from corpus import gmail
from mail_servers import IMAP_PASSWORD, IMAP_USER, Dovecot

KEY = "benchmark-secret-key-that-is-long-enough-0"


def fill(dovecot: Dovecot, start: int, count: int) -> None:
    """Messages dropped into Maildir/new as a delivery agent does (much faster than APPEND)."""
    folder = dovecot.root / "Maildir" / "new"
    folder.mkdir(parents=True, exist_ok=True)
    owner = (dovecot.root / "Maildir").stat()
    for n in range(start, start + count):
        path = folder / f"{time.time():.0f}.M{n}P1.bench"
        path.write_bytes(gmail(text=f"Mensagem {n}: o restaurante fechou cedo. " * 20)[1])
        os.chown(path, owner.st_uid, owner.st_gid)
    os.chown(folder, owner.st_uid, owner.st_gid)


async def _import_all(cfg: Any, desk: Any, count: int) -> int:
    """Poll until the part is stored (one poll takes a bounded batch, as the job does)."""
    import balcao_email

    stored = 0
    while stored < count:
        batch = await balcao_email.poll(cfg, desk)
        if not batch:
            break
        stored += batch
    return stored


async def measure(dovecot: Dovecot, folder: str, first: int, rest: int) -> None:
    import balcao_email
    from balcao import Desk, load_settings
    from balcao._runtime import build_runtime

    url = f"sqlite+aiosqlite:///{folder}/bench.db"
    config = {
        "imap_host": "127.0.0.1",
        "imap_port": dovecot.port,
        "imap_security": "none",
        "imap_username": IMAP_USER,
        "imap_password": IMAP_PASSWORD,
    }
    settings = load_settings(
        {},
        database_url=url,
        secret_key=KEY,
        files_dir=f"{folder}/files",
        log_level="WARNING",
        plugins={"email": config},
    )
    runtime = build_runtime(settings, plugins=[("email", balcao_email)], load_entrypoints=False)
    desk: Desk = runtime.desk
    cfg = desk.channels["email"].config
    for label, count, start in (("first", first, 0), ("rest", rest, first)):
        fill(dovecot, start, count)
        tracemalloc.start()
        began = time.perf_counter()
        stored = await _import_all(cfg, desk, count)
        elapsed = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{label:5}: {stored:6} messages stored in {elapsed:6.1f} s "
            f"({stored / elapsed:5.0f}/s), traced peak {peak / 1024 / 1024:5.2f} MB"
        )
    await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="balcao-dovecot-"))
    dovecot = Dovecot(root, loopback_certificate(root))
    try:
        dovecot.start()
        with tempfile.TemporaryDirectory() as folder:
            environ = {
                **os.environ,
                "BALCAO_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/bench.db",
                "BALCAO_SECRET_KEY": KEY,
            }
            import subprocess

            subprocess.run(
                [sys.executable, "-m", "balcao", "db", "upgrade"],
                env=environ,
                check=True,
                capture_output=True,
            )
            first = max(args.messages // 5, 1)
            asyncio.run(measure(dovecot, folder, first, args.messages - first))
    finally:
        dovecot.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
