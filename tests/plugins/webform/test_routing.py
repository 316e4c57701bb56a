"""A web form manifestation is routed and announced like any other channel's."""

from __future__ import annotations

import re

import balcao_webform
from balcao import (
    Event,
    Manifestation,
    ManifestationCreated,
    RoutingDecision,
    RoutingRuleSpec,
    State,
    hookimpl,
)

from .conftest import Citizen, MakeBalcao, identified


def _protocol(page: str) -> str:
    found = re.search(r'id="protocolo">([^<]+)<', page)
    assert found, page
    return found.group(1)


class Observer:
    """Another department's plugin: routes by channel and word, and records events."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.seen: list[Manifestation] = []

    async def _restaurant(self, manifestation: Manifestation) -> RoutingDecision | None:
        self.seen.append(manifestation)
        if manifestation.channel == "webform" and "restaurante" in manifestation.description:
            return RoutingDecision(forward_to="PRAE", reason="restaurante pelo formulário")
        return None

    @hookimpl
    def balcao_register_routing_rules(self) -> list[RoutingRuleSpec]:
        return [RoutingRuleSpec(name="ru", evaluate=self._restaurant)]

    @hookimpl
    def balcao_on_event(self, event: Event) -> None:
        self.events.append(event)


async def test_routing_and_events(make_balcao: MakeBalcao) -> None:
    observer = Observer()
    app = await make_balcao(plugins=[("webform", balcao_webform), ("observer", observer)])
    response = await Citizen(app).submit(identified())
    assert response.status_code == 200
    await app.run_worker()  # events reach plugins from the worker
    created = [e for e in observer.events if isinstance(e, ManifestationCreated)]
    assert [(e.channel, e.kind) for e in created] == [("webform", "reclamacao")]
    found = await app.desk.get(created[0].protocol)
    assert found.state is State.FORWARDED and found.unit_code == "PRAE"
    assert found.routing_reason == "restaurante pelo formulário"
    # routing rules see the place of the fact
    assert observer.seen[0].extra["place"] == "Campus Cuiabá, RU"


async def test_declarative_rule_for_the_web_form(make_balcao: MakeBalcao) -> None:
    rule = {
        "name": "restaurante-universitario",
        "priority": 10,
        "when": {"kinds": ["reclamacao"], "channels": ["webform"], "words_any": ["RU"]},
        "then": {"forward_to": "PRAE"},
    }
    app = await make_balcao(
        plugins=[("webform", balcao_webform)], settings={"routing": {"rules": [rule]}}
    )
    done = await Citizen(app).submit(identified(description="A fila do RU estava enorme."))
    assert done.status_code == 200
    other = await Citizen(app).submit(identified(description="A biblioteca fechou cedo."))
    forwarded = await app.desk.get(_protocol(done.text))
    not_forwarded = await app.desk.get(_protocol(other.text))
    assert forwarded.unit_code == "PRAE"
    assert forwarded.routed_by == "restaurante-universitario"
    assert not_forwarded.unit_code is None
