"""The satisfaction survey on the tracking path: answered with the protocol and access
code, under the tracking rate limit."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import JSONBody, URLEncodedBody
from litestar.response import Template

from balcao._desk import Desk, NotFound
from balcao._domain.survey import Attended, InvalidSurveyAnswer, SurveyAnswer
from balcao._services.survey import SurveyClosed, SurveyView
from balcao._types import Manifestation
from balcao._web.openapi import error_responses
from balcao._web.public import WRONG_ACCESS, page_view, tracking, verified

__all__ = ["SURVEY_ROUTES"]

_THANKS = "Obrigado! Sua resposta à pesquisa de satisfação foi registrada."
_CHOOSE = "Escolha se a demanda foi atendida e dê uma nota de 1 a 5."


class SurveyRequest(msgspec.Struct, frozen=True, kw_only=True):
    protocol: str
    access_code: str
    attended: Attended
    rating: int
    comment: str = ""


async def _answer(desk: Desk, found: Manifestation, form: dict[str, Any]) -> SurveyView:
    try:
        return await desk.answer_survey(found.protocol, _parsed(form), "tracking")
    except SurveyClosed as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc


@post(
    "/api/v1/tracking/survey",
    summary="Responder à pesquisa de satisfação",
    description=(
        "Para uma manifestação concluída (`protocol` e `access_code`): "
        "`attended` (`sim`, `parcialmente` ou `nao`), `rating` de 1 a 5 e "
        "`comment` opcional. Uma pesquisa já respondida ou fechada responde "
        "409."
    ),
    tags=["público"],
    status_code=200,
    responses=error_responses(404, 409, 422, 429),
)
async def survey_api(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], data: JSONBody[SurveyRequest]
) -> SurveyView:
    """Answer the satisfaction survey of a concluded manifestation (protocol + access code):
    ``attended`` sim / parcialmente / nao, ``rating`` 1-5, optional ``comment``."""
    found = await verified(desk, request, data.protocol, data.access_code)
    if found is None:
        raise NotFound(WRONG_ACCESS)
    form = {"attended": data.attended, "rating": data.rating, "comment": data.comment}
    return await _answer(desk, found, form)


def _parsed(form: dict[str, Any]) -> SurveyAnswer:
    try:
        return SurveyAnswer(
            attended=Attended(form.get("attended", "")),
            rating=int(form.get("rating", "")),
            comment=str(form.get("comment", "")),
        )
    except InvalidSurveyAnswer as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=_CHOOSE) from exc


@post("/acompanhar/pesquisa", include_in_schema=False, status_code=200)
async def survey_page(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    protocol, code = data.get("protocol", ""), data.get("access_code", "")
    context: dict[str, Any] = {"protocol": protocol}
    try:
        found = await verified(desk, request, protocol, code)
    except HTTPException as exc:
        return Template(
            "balcao/track.html",
            status_code=exc.status_code,
            context={**context, "error": exc.detail},
        )
    if found is None:
        return Template(
            "balcao/track.html", status_code=404, context={**context, "error": WRONG_ACCESS}
        )
    status = 200
    try:
        await _answer(desk, found, data)
        context["notice"] = _THANKS
    except HTTPException as exc:
        context["survey_error"], status = exc.detail, exc.status_code
    context.update(result=page_view(desk, await tracking(desk, found)), access_code=code)
    return Template("balcao/track.html", status_code=status, context=context)


def _refused(status: int, protocol: str, error: str) -> Template:
    context = {"protocol": protocol, "error": error}
    return Template("balcao/track.html", status_code=status, context=context)


SURVEY_ROUTES = [survey_api, survey_page]
