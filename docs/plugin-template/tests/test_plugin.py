import balcao_example
from balcao import Kind


async def test_a_suggestion_becomes_a_manifestation(make_balcao):
    b = await make_balcao(plugins=[("example", balcao_example)])
    response = await b.client.post(
        "/channels/example/api/suggestions", json={"text": "Mais bancos no pátio"}
    )
    assert response.status_code == 201
    found = await b.desk.get(response.json()["protocol"])
    assert (found.kind, found.channel) == (Kind.SUGESTAO, "example")


async def test_the_kiosk_name_comes_from_configuration(make_balcao):
    b = await make_balcao(
        plugins=[("example", balcao_example)],
        environ={"BALCAO_EXAMPLE_KIOSK_NAME": "Quiosque do RU"},
    )
    assert "Quiosque do RU" in (await b.client.get("/")).text
