"""Request-path throughput of ``balcao serve`` against a bare Litestar app, measured with wrk.

    apt-get install wrk                                          # Debian's wrk, once
    uv run python benchmarks/request_path.py                     # SQLite, fresh file
    uv run python benchmarks/request_path.py --postgres postgresql+asyncpg://user@host/db
    uv run python benchmarks/request_path.py --only webhook --seconds 5 --rounds 3

Balcão runs as an operator runs it (``balcao serve --no-worker`` on a fresh database: the
worker would otherwise process the messages in the same process while we measure; the
acknowledgement is what the webhook promises). The baseline is ``bare_app.py``: a separate
bare Litestar app served the same way (uvicorn, one process, uvloop, httptools). For every
load, rounds alternate between the two (the order swapped each round), so a machine busy with
other work slows both alike; each line prints Balcão's median rate, the baseline's, the
median of the per-round ratios and the raw range of the rounds.

Loads:

- ``health``, ``home``, ``form-get``: GET ``/health``, ``/``, ``/channels/webform/``; the
  baselines are a small text answer and a Jinja template rendered per request into a page of
  the same size as ours (measured before the run).
- ``webhook``: signed WhatsApp notifications, a new message id in each request. wrk's Lua has
  no HMAC, so the bodies and their ``X-Hub-Signature-256`` are generated beforehand, one file
  per round with more bodies than the round can send, and the script sends them in turn. The
  baseline is a POST that reads the body. At 1, 8, 32 and 64 connections.
- ``form``: a full web-form submission: GET the form, then POST it (multipart, with the CSRF
  token and the form's signed ticket), answered by the redirect to the receipt. The script
  reads each ticket from a GET's page and spends it on the next POST of the same wrk thread,
  so every POST is a new submission; the CSRF cookie is fetched once before the run (a
  browser keeps it too). The figure is completed submissions per second; the baseline is the
  bare POST of the same body (one request, not two). At 1, 8, 32 and 64 connections.
- ``form-floor`` (no aim): the same full submission against the least that exchange costs
  in Litestar: the bare app's page of the form's size (built once, with a ticket field)
  and a POST whose multipart body is parsed into its fields, answered by a 303; no checks,
  no database. It shows how much of the form's gap to the bare POST is the exchange itself.

After the run it counts rows: every acknowledged webhook message must be stored exactly once
(``inbound_events``), every acknowledged submission registered exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from wrk_harness import (
    Comparison,
    Round,
    compare,
    free_port,
    lua_file,
    require_wrk,
    running,
    scratch,
    wrk,
)

SECRET = "benchmark-app-secret"
KEY = "benchmark-secret-key-that-is-long-enough-0"
PHONE_ID = "106540352242922"
HOOK = "/channels/whatsapp/webhook"
FORM = "/channels/webform/"
# aims: Balcão's rate as a share of the baseline's
AIMS = {"health": 0.7, "home": 0.5, "form-get": 0.5, "webhook": 0.5, "form": 0.25}
# the full submission against the least the same exchange costs in Litestar (no aim)
LOADS = [*AIMS, "form-floor"]
FIELDS = {
    "kind": "reclamacao",
    "subject": "Restaurante universitário",
    "description": "O restaurante universitário fechou às 11h sem aviso.",
    "name": "Maria da Silva",
    "email": "maria@example.org",
    "consent": "sim",
}
_BOUNDARY = "balcaobenchboundary"
_TICKET_MARK = "@@TICKET@@"
_HIDDEN = re.compile(r'name="(_csrf_token|ticket)" value="([^"]*)"')

_GET = ""
_REPLAY = r"""
local sigs, bodies, i = {}, {}, 0
function init(args)
  for line in io.lines(args[1]) do
    local tab = line:find("\t", 1, true)
    sigs[#sigs + 1] = line:sub(1, tab - 1)
    bodies[#bodies + 1] = line:sub(tab + 1)
  end
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = sigs[i]}, bodies[i])
end
"""
_FORM = r"""
local template, cookie, tickets, post = "", "", {}, nil
ok = 0
function init(args)
  local file = io.open(args[1], "rb"); template = file:read("*a"); file:close()
  cookie, post = args[2], args[3]
end
function request()
  local ticket = table.remove(tickets)
  if ticket == nil then return wrk.format("GET", nil, {["Cookie"] = cookie}) end
  local at = template:find("@@TICKET@@", 1, true)
  local body = template:sub(1, at - 1) .. ticket .. template:sub(at + 10)
  return wrk.format("POST", post, {["Cookie"] = cookie,
    ["Content-Type"] = "multipart/form-data; boundary=balcaobenchboundary"}, body)
end
function response(status, headers, body)
  if status == 303 then ok = ok + 1; return end
  local ticket = body:match('name="ticket" value="([^"]*)"')
  if ticket then table.insert(tickets, ticket) end
end
"""

_POST = r"""
local body = ""
function init(args)
  local file = io.open(args[1], "rb"); body = file:read("*a"); file:close()
  wrk.method, wrk.body = "POST", body
  wrk.headers["Content-Type"] = "multipart/form-data; boundary=balcaobenchboundary"
end
"""


# -- the requests -----------------------------------------------------------------------------


class Webhook:
    """Signed notifications, each with a message id never sent before."""

    def __init__(self, folder: Path) -> None:
        from balcao_whatsapp import sign

        self.folder, self.sign, self.sent = folder, sign, 0

    def bodies(self, count: int) -> Path:
        path = self.folder / f"bodies-{self.sent}.tsv"
        with path.open("w") as out:
            for n in range(self.sent, self.sent + count):
                body = _notification(n)
                out.write(f"{self.sign(SECRET, body.encode())}\t{body}\n")
        self.sent += count
        return path


def _notification(n: int) -> str:
    sender = f"55659{n % 5000:08d}"
    message = (
        f'{{"from":"{sender}","id":"wamid.BENCH{n:010d}","timestamp":"1765000000",'
        f'"type":"text","text":{{"body":"Mensagem de teste número {n}"}}}}'
    )
    return (
        '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":'
        '"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":'
        f'"556536158000","phone_number_id":"{PHONE_ID}"}},"contacts":[{{"profile":{{"name":'
        f'"Teste"}},"wa_id":"{sender}"}}],"messages":[{message}]}}}}]}}]}}'
    )


def form_template(token: str) -> str:
    """The multipart body a browser sends, the ticket left as a mark for the script."""
    fields = {**FIELDS, "_csrf_token": token, "ticket": _TICKET_MARK}
    parts = [
        f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    return "".join(parts) + f"--{_BOUNDARY}--\r\n"


def csrf_session(base: str) -> tuple[str, str]:
    """The CSRF cookie header and token a browser gets on its first visit to the form."""
    page = httpx.get(base + FORM)
    token = dict(_HIDDEN.findall(page.text))["_csrf_token"]
    cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    return cookie, token


# -- the run ----------------------------------------------------------------------------------

Load = tuple[str, Callable[[], Round], Callable[[], Round]]


class Bench:
    """The loads, as pairs of runs (Balcão, baseline), and what Balcão acknowledged."""

    def __init__(self, args: argparse.Namespace, folder: Path, ours: str, bare: str) -> None:
        self.args, self.folder, self.ours, self.bare = args, folder, ours, bare
        self.hooks, self.acked, self.submitted, self.overrun = Webhook(folder), 0, 0, 0
        # requests still in flight when wrk stops: stored, never seen acknowledged
        self.unseen = {"webhook": 0, "form": 0}
        self.scripts = {
            name: lua_file(folder, name, text)
            for name, text in (("get", _GET), ("replay", _REPLAY), ("form", _FORM), ("post", _POST))
        }

    def pages(self) -> Iterator[Load]:
        want, c = set(self.args.only or LOADS), self.args.connections
        for load, name, ours, bare in (
            ("health", "GET /health", "/health", "/text"),
            ("home", "GET / (home)", "/", "/home"),
            ("form-get", "GET web form", FORM, "/form"),
        ):
            if load in want:
                yield (
                    name,
                    self._run(self.ours + ours, "get", c),
                    self._run(self.bare + bare, "get", c),
                )

    def webhook(self, c: int) -> Load:
        bare_bodies = str(self.hooks.bodies(1000))
        return (
            f"webhook POST, {c:2d} conn",
            lambda: self._count_hook(self._run(self.ours + HOOK, "replay", c, self._fresh())(), c),
            self._run(self.bare + "/post", "replay", c, bare_bodies),
        )

    def form(self, c: int) -> Load:
        ours, token = self._submissions(c)
        bare_body = self.folder / "form-bare.txt"
        bare_body.write_text(form_template(token).replace(_TICKET_MARK, "0.0.0"))
        bare = self._run(self.bare + "/post", "post", c, str(bare_body))
        return (f"form GET+POST, {c:2d} conn", ours, bare)

    def form_floor(self, c: int) -> Load:
        """The full submission against the bare app's pair (a page of the form's size, then
        the multipart POST parsed and answered by a 303): how far Balcão is from Litestar
        doing the same exchange without checks or a database."""
        ours, _token = self._submissions(c)
        template = str(self.folder / "form.txt")
        pair = self._run(self.bare + "/form-static", "form", c, template, "", "/form-post")
        return (f"form vs bare pair, {c:2d} conn", ours, pair)

    def _submissions(self, c: int) -> tuple[Callable[[], Round], str]:
        """Full submissions to Balcão, counted, and the CSRF token their bodies carry (the
        body, its ticket left as a mark, is written to ``form.txt``)."""
        cookie, token = csrf_session(self.ours)
        template = self.folder / "form.txt"
        template.write_text(form_template(token))
        run = self._run(self.ours + FORM, "form", c, str(template), cookie)
        return (lambda: self._count_form(run(), c)), token

    def _run(self, url: str, script: str, c: int, *args: str) -> Callable[[], Round]:
        return lambda: wrk(url, self.scripts[script], c, self.args.seconds, *args)

    def _fresh(self) -> str:
        return str(self.hooks.bodies(self._budget()))

    def _budget(self) -> int:
        return int(self.args.seconds * self.args.hook_rate)

    def _count_hook(self, result: Round, connections: int) -> Round:
        self.acked += result.acknowledged
        self.unseen["webhook"] += connections
        self.overrun += max(0, result.requests - self._budget())
        return result

    def _count_form(self, result: Round, connections: int) -> Round:
        self.submitted += result.ok
        self.unseen["form"] += connections
        return result


def measure(bench: Bench) -> list[tuple[Comparison, float | None]]:
    rounds, want = bench.args.rounds, set(bench.args.only or LOADS)
    results: list[tuple[Comparison, float | None]] = []

    def run(
        name: str, ours: Callable[[], Round], bare: Callable[[], Round], aim: float | None
    ) -> None:
        comparison = compare(name, rounds, ours, bare)
        print(comparison.line(aim), flush=True)
        results.append((comparison, aim))

    for load, (name, ours, bare) in zip(
        [p for p in ("health", "home", "form-get") if p in want], bench.pages(), strict=True
    ):
        run(name, ours, bare, AIMS[load])
    for load in ("webhook", "form", "form-floor"):
        if load in want:
            for c in bench.args.concurrency:
                run(*getattr(bench, load.replace("-", "_"))(c), AIMS.get(load))
    return results


async def stored(url: str) -> tuple[int, int, int, int]:
    """Webhook messages stored (and distinct ids), web-form manifestations (and distinct)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.connect() as connection:
        events = (
            await connection.execute(
                text(
                    "SELECT count(*), count(DISTINCT external_id) FROM inbound_events "
                    "WHERE channel = 'whatsapp'"
                )
            )
        ).one()
        forms = (
            await connection.execute(
                text(
                    "SELECT count(*), count(DISTINCT protocol) FROM manifestations "
                    "WHERE channel = 'webform'"
                )
            )
        ).one()
    await engine.dispose()
    return int(events[0]), int(events[1]), int(forms[0]), int(forms[1])


def check(bench: Bench, url: str) -> None:
    """Every acknowledged item stored once. wrk stops with up to one request in flight per
    connection, which the server may still store: at most that many rows more than
    acknowledged. Each stored row has its own id (a message id, a protocol)."""
    hooks, hook_ids, forms, form_ids = asyncio.run(stored(url))
    for name, acked, rows, distinct, extra in (
        ("webhook messages", bench.acked, hooks, hook_ids, bench.unseen["webhook"]),
        ("web-form submissions", bench.submitted, forms, form_ids, bench.unseen["form"]),
    ):
        if acked or rows:
            good = rows == distinct and acked <= rows <= acked + extra
            print(
                f"{name}: {acked} acknowledged, {rows} stored, {distinct} distinct; "
                f"in flight at the stops: at most {extra}: "
                + ("every acknowledged one stored exactly once" if good else "MISMATCH")
            )
    if bench.overrun:
        print(f"warning: {bench.overrun} webhook requests resent a body: raise --hook-rate")


# -- set-up -----------------------------------------------------------------------------------


def environment(folder: Path, url: str) -> dict[str, str]:
    (folder / "balcao.toml").write_text(
        "[plugins.whatsapp]\n"
        f'app_secret = "{SECRET}"\nverify_token = "v"\naccess_token = "t"\n'
        f'phone_number_id = "{PHONE_ID}"\ngraph_url = "http://127.0.0.1:9"\n'
    )
    return {
        **os.environ,
        "BALCAO_DATABASE_URL": url,
        "BALCAO_SECRET_KEY": KEY,
        "BALCAO_CONFIG": str(folder / "balcao.toml"),
        "BALCAO_FILES_DIR": str(folder / "files"),
        "BALCAO_WEBFORM_RATE_LIMIT_PER_HOUR": "100000000",
        "BALCAO_WEBFORM_MIN_FILL_SECONDS": "0",
    }


def fresh_postgres(url: str) -> str:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def create() -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text("DROP DATABASE IF EXISTS balcao_bench_request_path"))
            await connection.execute(text("CREATE DATABASE balcao_bench_request_path"))
        await engine.dispose()

    asyncio.run(create())
    return url.rsplit("/", 1)[0] + "/balcao_bench_request_path"


def page_bytes(base: str, path: str) -> int:
    return len(httpx.get(base + path).content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="postgresql+asyncpg://... of a server to use")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one wrk round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32, help="for the GET loads")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--only", nargs="+", choices=LOADS)
    parser.add_argument("--processes", type=int, default=1, help="server processes, each side")
    parser.add_argument("--hook-rate", type=int, default=8000, help="bodies per second of a round")
    args = parser.parse_args()
    require_wrk()
    folder = scratch()
    url = (
        fresh_postgres(args.postgres)
        if args.postgres
        else f"sqlite+aiosqlite:///{folder / 'balcao.db'}"
    )
    env = environment(folder, url)
    balcao = shutil.which("balcao", path=str(Path(sys.executable).parent)) or "balcao"
    subprocess.run([balcao, "db", "upgrade"], env=env, check=True, capture_output=True)
    ours_port, bare_port = free_port(), free_port()
    serve = [balcao, "serve", "--no-worker", "--port", str(ours_port)]
    if args.processes > 1:  # as docs/operations.md says to run several processes
        uvicorn = str(Path(sys.executable).with_name("uvicorn"))
        serve = [uvicorn, "--factory", "balcao:create_app", "--port", str(ours_port)]
        serve += ["--workers", str(args.processes), "--no-access-log", "--log-level", "warning"]
    with running(serve, env, ours_port, folder / "balcao.log") as ours:
        sizes = [
            "--home-bytes",
            str(page_bytes(ours, "/")),
            "--form-bytes",
            str(page_bytes(ours, FORM)),
        ]
        bare_app = [
            sys.executable,
            str(Path(__file__).with_name("bare_app.py")),
            "--port",
            str(bare_port),
            "--workers",
            str(args.processes),
            *sizes,
        ]
        with running(bare_app, env, bare_port, folder / "bare.log") as bare:
            print(
                f"database {url.split(':')[0]}; wrk, 1 thread, {args.rounds} rounds of "
                f"{args.seconds:g} s each side, alternating; pages {sizes[1]} and {sizes[3]} "
                f"bytes; {args.processes} server process(es) each side"
            )
            bench = Bench(args, folder, ours, bare)
            measure(bench)
    check(bench, url)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
