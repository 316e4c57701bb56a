"""Median time to route one manifestation against 10, 100, 1,000 and 10,000 declarative rules.

Every rule is compiled once (as at start-up); each decision uses a fresh text, so folding
the text is counted in every decision. The manifestation matches no rule: every rule is
evaluated, the worst case. Times are the thread's CPU time, so other work on a shared
machine does not inflate them. The baseline is the same decision with no rules at all (the
fallback alone), measured in the same run. Target: under 2 ms median at 1,000 rules.

    uv run python benchmarks/routing_rules.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import time
from typing import Any

from balcao import BusinessCalendar, Kind, Manifestation, State
from balcao._routing import route
from balcao._routing.loader import load_rules

KINDS = ["reclamacao", "solicitacao", "sugestao", "elogio", "denuncia"]
TEXT = (
    "Prezados, venho por meio desta registrar que no último semestre o atendimento no setor "
    "de protocolo foi muito demorado, com filas longas e pouca informação sobre os prazos. "
    "Solicito providências para que a comunicação com os estudantes seja melhorada e que os "
    "horários de funcionamento sejam divulgados com antecedência. Atenciosamente."
)


def rule(n: int) -> dict[str, Any]:
    when: dict[str, Any] = {
        "words_any": [f"termo{n}a", f"assunto {n} especifico", f"palavra{n}"],
        "words_none": [f"exceto{n}"],
    }
    if n % 3 == 0:
        when["kinds"] = [KINDS[n % len(KINDS)], KINDS[(n + 1) % len(KINDS)]]
    if n % 10 == 0:
        when["regex"] = rf"protocolo\s+n[ºo]?\s*{n}\b"
    if n % 7 == 0:
        when["channels"] = ["webform", "whatsapp"]
    return {
        "name": f"regra-{n:05d}",
        "priority": n % 50,
        "when": when,
        "then": {"forward_to": f"U{n}"},
    }


def rule_without_words(n: int) -> dict[str, Any]:
    """A rule the word index cannot skip: every such rule is evaluated."""
    when = {"kinds": [KINDS[n % len(KINDS)], "reclamacao"], "channels": [f"canal{n}"]}
    return {
        "name": f"regra-{n:05d}",
        "priority": n % 50,
        "when": when,
        "then": {"forward_to": f"U{n}"},
    }


def draft(i: int) -> Manifestation:
    now = dt.datetime(2026, 12, 1, 14, tzinfo=dt.UTC)
    return Manifestation(
        id=0,
        protocol="",
        kind=Kind.RECLAMACAO,
        channel="webform",
        state=State.RECEIVED,
        subject="Atendimento",
        description=f"{TEXT} (caso {i})",
        anonymous=False,
        created_at=now,
        updated_at=now,
        pseudonym="Manifestante",
    )


async def medians(count: int, rounds: int, make: Any = rule) -> tuple[float, float]:
    """Median CPU and wall-clock milliseconds of one decision against ``count`` rules."""
    rules = load_rules({"rules": [make(n) for n in range(count)]}, BusinessCalendar())
    cpu, wall = [], []
    for i in range(rounds):
        manifestation = draft(i)
        start_cpu, start_wall = time.thread_time(), time.perf_counter()
        outcome = await route(rules, manifestation)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
        assert outcome.rule == "fallback"
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


async def table(title: str, make: Any, rounds: int, baseline: float) -> None:
    print(f"\n{title}")
    print(f"{'rules':>7} {'CPU ms':>8} {'wall ms':>8} {'x baseline':>11} {'x 10 rules':>11}")
    first = None
    for count in (10, 100, 1_000, 10_000):
        cpu, wall = await medians(count, rounds if count < 10_000 else max(rounds // 4, 20), make)
        first = first or cpu
        print(f"{count:>7} {cpu:>8.3f} {wall:>8.3f} {cpu / baseline:>11.1f} {cpu / first:>11.1f}")
        if count == 1_000:
            verdict = "ok" if cpu < 2 else "ABOVE TARGET"
            print(f"{'':>7} target < 2 ms at 1,000 rules: {verdict}")


async def main(rounds: int) -> None:
    baseline, _ = await medians(0, rounds * 4)
    print(f"baseline (no rules: folding the text and the fallback): {baseline:.3f} ms CPU median")
    await table("rules with words (the usual kind):", rule, rounds, baseline)
    await table("rules without words (kinds, channels only):", rule_without_words, rounds, baseline)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400)
    asyncio.run(main(parser.parse_args().rounds))
