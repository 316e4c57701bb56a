"""docs/deploy/nginx in front of two ``balcao serve --no-worker`` instances and one
``balcao worker``, as the operations guide sets them up (plain HTTP on loopback here)."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from balcao_whatsapp import sign

from .server import database, environment, free_port, wait_until_up

sys.path.insert(0, str(Path(__file__).parents[1] / "plugins" / "whatsapp"))
from whatsapp_fake_graph import PHONE_ID, TOKEN, FakeGraph, Server
from whatsapp_payloads import CITIZEN, envelope, value, wamid

LOCATIONS = Path(__file__).parents[2] / "docs" / "deploy" / "nginx" / "balcao-locations.conf"
APP_SECRET = "segredo-do-app-do-proxy"
CITIZEN_A, CITIZEN_B = "127.0.0.5", "127.0.0.6"


def _nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        pytest.fail("nginx is missing: apt-get install -y nginx (.ci/run does)")
    return found


def _site(folder: Path, port: int, upstreams: list[int]) -> Path:
    temp = " ".join(
        f"{kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    servers = " ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in upstreams)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"master_process off; daemon off; pid {folder / 'nginx.pid'};\n"
        "events { worker_connections 64; }\n"
        f"http {{ access_log off; {temp}\n"
        f"  upstream balcao {{ {servers} }}\n"
        f"  server {{ listen 127.0.0.1:{port}; include {LOCATIONS}; }}\n}}\n"
    )
    return conf


@contextlib.contextmanager
def _running(command: list[str], env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    log = (cwd / f"{Path(command[0]).name}-{time.monotonic_ns()}.log").open("w")
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=log, text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        log.close()


def _citizen(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def _env(tmp_path: Path, url: str, graph_url: str) -> dict[str, str]:
    return environment(
        tmp_path,
        BALCAO_DATABASE_URL=url,
        BALCAO_FILES_DIR=str(tmp_path / "files"),
        BALCAO_DISABLE_PLUGINS="meet,falabr_export",
        BALCAO_ALLOWED_HOSTS="127.0.0.1",
        BALCAO_TRUSTED_PROXIES="127.0.0.1/32",
        BALCAO_TRACKING_RATE_LIMIT_PER_HOUR="2",
        BALCAO_WORKER_POLL_SECONDS="0.2",
        BALCAO_WHATSAPP_APP_SECRET=APP_SECRET,
        BALCAO_WHATSAPP_VERIFY_TOKEN="verifica",
        BALCAO_WHATSAPP_ACCESS_TOKEN=TOKEN,
        BALCAO_WHATSAPP_PHONE_NUMBER_ID=PHONE_ID,
        BALCAO_WHATSAPP_GRAPH_URL=graph_url,
    )


def _tracking_statuses(client: httpx.Client, site: str) -> list[int]:
    body = {"protocol": "2026000001", "access_code": "errado"}
    # what a client claims in X-Forwarded-For is replaced by the proxy: it cannot dodge the limit
    spoof = {"X-Forwarded-For": "198.51.100.7"}
    return [
        client.post(f"{site}/api/v1/tracking", json=body, headers=spoof).status_code
        for _ in range(3)
    ]


def _submission(site: str) -> httpx.Response:
    return _citizen(CITIZEN_A).post(
        f"{site}/channels/webform/api/manifestations",
        json={
            "kind": "solicitacao",
            "subject": "Segunda via de diploma",
            "description": "Peço a segunda via do meu diploma.",
            "anonymous": False,
            "citizen": {
                "name": "João Souza",
                "email": "joao@example.org",
                "phone": "65 3313-7210",
                "cpf": "52998224725",
            },
            "consent": True,
        },
    )


def _webhook(site: str) -> httpx.Response:
    message = {
        "from": CITIZEN,
        "id": wamid(),
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": "oi"},
    }
    raw = json.dumps(envelope(value(messages=[message]))).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(APP_SECRET, raw)}
    return _citizen(CITIZEN_B).post(
        f"{site}/channels/whatsapp/webhook", content=raw, headers=headers
    )


def _delivered_to_citizen(graph: FakeGraph) -> bool:
    for _ in range(240):
        if any(sent.get("to") == CITIZEN for sent in graph.sent):
            return True
        time.sleep(0.25)
    return False


def test_two_instances_and_a_worker_behind_nginx(tmp_path: Path) -> None:
    nginx = _nginx()
    ports, site_port = [free_port(), free_port()], free_port()
    site = f"http://127.0.0.1:{site_port}"
    with (
        database(tmp_path) as url,
        Server(FakeGraph()) as graph_server,
        contextlib.ExitStack() as stack,
    ):
        env = _env(tmp_path, url, graph_server.url)
        balcao = [sys.executable, "-m", "balcao"]
        subprocess.run(
            [*balcao, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True
        )
        instances = [
            stack.enter_context(
                _running([*balcao, "serve", "--no-worker", "--port", str(p)], env, tmp_path)
            )
            for p in ports
        ]
        stack.enter_context(_running([*balcao, "worker"], env, tmp_path))
        for port, process in zip(ports, instances, strict=True):
            wait_until_up(f"http://127.0.0.1:{port}/health", process)
        proxy = stack.enter_context(
            _running(
                [
                    nginx,
                    "-p",
                    str(tmp_path),
                    "-e",
                    str(tmp_path / "error.log"),
                    "-c",
                    str(_site(tmp_path, site_port, ports)),
                ],
                env,
                tmp_path,
            )
        )
        wait_until_up(f"{site}/health", proxy)

        # a load balancer's health check straight to an instance, Host with its port
        assert httpx.get(f"http://127.0.0.1:{ports[0]}/health").status_code == 200
        assert (
            httpx.get(
                f"http://127.0.0.1:{ports[0]}/health", headers={"Host": "evil.example"}
            ).status_code
            == 400
        )

        # each citizen has their own limit, whatever they claim in X-Forwarded-For
        assert _tracking_statuses(_citizen(CITIZEN_A), site)[-1] == 429
        assert 429 not in _tracking_statuses(_citizen(CITIZEN_B), site)[:2]

        created = _submission(site)
        assert created.status_code == 201, created.text
        assert created.json()["protocol"]

        instances[0].kill()
        instances[0].wait(timeout=30)
        assert [httpx.get(f"{site}/", timeout=30).status_code for _ in range(4)] == [200] * 4

        assert _webhook(site).status_code == 200
        assert _delivered_to_citizen(graph_server.app)
