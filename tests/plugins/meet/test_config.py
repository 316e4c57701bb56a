"""Configuration: bad values are refused at start-up, naming the field and the fix;
environment overrides apply."""

from __future__ import annotations

import pytest

import balcao_meet


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"slot_minutes": 5}, "slot_minutes"),
        ({"days_ahead": 0}, "days_ahead"),
        ({"fallback_link": "meet.google.com/abc"}, "fallback_link"),
        ({"delegated_user": "ouvidoria@ufmt.br"}, "service_account_file"),
        (
            {"service_account_file": "/nao/existe.json", "delegated_user": "o@ufmt.br"},
            "não encontrado",
        ),
        ({"slot_minute": 30}, "slot_minute"),
    ],
)
async def test_bad_config_is_refused_naming_the_field(make_balcao, config, words) -> None:
    with pytest.raises(Exception, match=words) as failure:
        await make_balcao(plugins=[("meet", balcao_meet)], settings={"plugins": {"meet": config}})
    assert "meet" in str(failure.value)


async def test_environment_overrides_the_file(make_balcao) -> None:
    b = await make_balcao(
        plugins=[("meet", balcao_meet)],
        settings={"plugins": {"meet": {"slot_minutes": 30, "lead_time_minutes": 0}}},
        environ={"BALCAO_MEET_SLOT_MINUTES": "60"},
    )
    slots = (await b.client.get("/channels/meet/api/slots", params={"from": "2026-12-02"})).json()
    assert slots[0] == {"start": "2026-12-02T07:30:00-04:00", "end": "2026-12-02T08:30:00-04:00"}
    assert len([s for s in slots if s["start"].startswith("2026-12-02")]) == 8


async def test_without_a_fallback_link_the_booking_says_the_link_comes_later(make_balcao) -> None:
    b = await make_balcao(plugins=[("meet", balcao_meet)], settings={"plugins": {"meet": {}}})
    page = await b.client.get("/channels/meet/")
    assert page.status_code == 200
    body = {
        "start": "2026-12-02T08:00:00-04:00",
        "kind": "elogio",
        "description": "Parabéns.",
        "citizen": {"name": "Ana", "email": "ana@example.org"},
        "consent": True,
    }
    response = await b.client.post("/channels/meet/api/bookings", json=body)
    assert response.status_code == 201
    assert response.json()["meeting_url"] == ""


def _check(config: dict[str, object]) -> tuple[int, str]:
    import msgspec
    from click.testing import CliRunner

    spec = balcao_meet.balcao_register_commands(
        config=msgspec.convert(config, balcao_meet.MeetConfig)
    )[0]
    result = CliRunner().invoke(spec.command, [])
    return result.exit_code, result.output


def test_meet_check_reports_each_step(google, google_config) -> None:
    code, output = _check(google_config)
    assert code == 0, output
    assert "token: ok (agindo como ouvidoria@ufmt.br)" in output
    assert "agenda ouvidoria@ufmt.br: ok" in output


def test_meet_check_names_a_refused_delegation(google, google_config) -> None:
    google.token_error = "unauthorized_client"
    code, output = _check(google_config)
    assert code != 0
    assert "unauthorized_client" in output
    assert "Admin Console" in output


def test_meet_check_without_credentials_names_the_fixed_link() -> None:
    code, output = _check({"fallback_link": "https://meet.google.com/fix-ouvi-dor"})
    assert code == 0
    assert "link fixo https://meet.google.com/fix-ouvi-dor" in output
