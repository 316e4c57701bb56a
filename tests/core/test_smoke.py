from balcao.testing import Balcao


async def test_health(balcao: Balcao) -> None:
    response = await balcao.client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
