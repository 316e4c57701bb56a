from balcao.testing import Balcao

from .conftest import create_user, login, post_form


async def test_login_and_inbox(staff: Balcao) -> None:
    await create_user(staff, "ana@ufmt.br", "atendente")
    receipt = await staff.manifestation("A reclamação sobre o ônibus", subject="Transporte")
    response = await login(staff, "ana@ufmt.br")
    assert response.status_code == 200, response.text
    page = await staff.client.get("/staff?q=reclamacao")
    assert receipt.protocol in page.text
    case = await staff.client.get(f"/staff/manifestacoes/{receipt.protocol}")
    assert case.status_code == 200, case.text
    r = await post_form(
        staff, f"/staff/manifestacoes/{receipt.protocol}/responder", {"text": "Olá"}
    )
    assert r.status_code == 200, r.text
    assert "Resposta registrada" in r.text
