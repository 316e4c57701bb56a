"""The citizen's HTML form: ``GET /channels/webform/`` shows it, ``POST`` registers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import MultipartBody
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from balcao import IncomingFile, PluginDesk, Receipt, client_ip, response_deadline_text
from balcao_webform._config import WebformConfig
from balcao_webform._fields import Draft, Errors
from balcao_webform._files import check_files
from balcao_webform._fresh import FreshForm
from balcao_webform._guard import HONEYPOT, Ticket, issue, read
from balcao_webform._intake import Outcome, problems, register
from balcao_webform._kinds import KindChoice, offered
from balcao_webform._receipt import ReceiptCard, read_card, redirect_with
from balcao_webform._stash import Kept, discard, keep, kept, restore
from balcao_webform._view import form_context

__all__ = ["page_routes"]

log = logging.getLogger("balcao.webform")

# A form sent within seconds of being served is most likely a bot, but may be a person
# quick with autofill: it is not refused, only shown again (values kept) to be confirmed.
CONFIRM = (
    "Confira os dados abaixo e clique em “Enviar manifestação” para concluir o envio. "
    "Nada foi registrado ainda."
)
_TICKET_PROBLEMS = {
    Ticket.FORGED: (
        400,
        "Não foi possível validar o formulário. Confira os dados e envie de novo.",
    ),
    Ticket.EXPIRED: (
        422,
        "O formulário ficou aberto por muito tempo. Confira os dados e envie de novo.",
    ),
}
_NO_STORE = {"cache-control": "no-store"}


def _form(config: WebformConfig, desk: PluginDesk, status: int = 200, **context: Any) -> Template:
    return Template(
        "webform/form.html",
        context=form_context(config, issue(desk), **context),
        status_code=status,
        headers=_NO_STORE,
    )


def _problem(status: int, title: str, message: str) -> Template:
    return Template(
        "webform/problem.html",
        context={"title": title, "message": message},
        status_code=status,
        headers=_NO_STORE,
    )


async def _uploads(data: Mapping[str, Any]) -> list[IncomingFile]:
    raw = data.get("attachments", [])
    files = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, UploadFile) and item.filename:
            content = await item.read()
            files.append(
                IncomingFile(
                    filename=item.filename, content=content, declared_type=item.content_type
                )
            )
    return files


def _done(desk: PluginDesk, outcome: Outcome, draft: Draft) -> Redirect:
    assert outcome.receipt is not None
    choice = offered(draft.kind)
    return redirect_with(
        desk,
        outcome.receipt,
        anonymous=draft.anonymous,
        kind_label=choice.label if choice else "",
        email=draft.email if not draft.anonymous else "",
        deadline_text=_deadline_text(outcome.receipt, choice),
    )


def _deadline_text(receipt: Receipt, choice: KindChoice | None) -> str:
    """The response deadline in words, for the receipt (empty when none runs); the intake
    gives it with the receipt, so it is not read back."""
    if receipt.deadline is None or choice is None:
        return ""
    return response_deadline_text(choice.kind, receipt.deadline)


def _receipt_page(card: ReceiptCard | None) -> Template:
    if card is None:
        return _problem(
            404,
            "Recibo indisponível",
            "O recibo fica disponível só por alguns minutos depois do envio, e só no navegador "
            "que enviou. Se você anotou o protocolo e o código de acesso, acompanhe a "
            "manifestação em “Acompanhar manifestação”; o código não pode ser mostrado de novo.",
        )
    return Template("webform/done.html", context=msgspec.structs.asdict(card), headers=_NO_STORE)


def _too_large(config: WebformConfig) -> Any:
    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        return _problem(
            413,
            "Envio grande demais",
            f"O envio passou do limite de {config.max_request_bytes // (1024 * 1024)} MB "
            f"(cada arquivo pode ter até {config.max_file_mb} MB). Volte à página anterior, "
            "retire ou reduza os anexos maiores e envie de novo.",
        )

    return handler


def _csrf_failed(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return _problem(
        403,
        "Sessão expirada",
        "Não foi possível confirmar que o envio partiu deste formulário (a sessão pode ter "
        "expirado ou os cookies estão bloqueados). Volte à página anterior, recarregue o "
        "formulário e envie de novo: os dados digitados costumam continuar lá.",
    )


def page_routes(config: WebformConfig) -> list[ControllerRouterHandler]:
    """The form's handlers; built per app, since the size cap comes from the config."""

    fresh = FreshForm("webform/form.html", form_context(config, ""), _NO_STORE)

    @get("/", name="webform:form", include_in_schema=False)
    async def show_form(
        desk: NamedDependency[PluginDesk], request: Request[Any, Any, Any]
    ) -> Response[str]:
        return fresh.response(request, issue(desk))

    @post(
        "/",
        name="webform:submit",
        include_in_schema=False,
        request_max_body_size=config.max_request_bytes,
        exception_handlers={
            RequestEntityTooLarge: _too_large(config),
            PermissionDeniedException: _csrf_failed,
        },
    )
    async def submit(
        desk: NamedDependency[PluginDesk],
        request: Request[Any, Any, Any],
        data: MultipartBody[dict[str, Any]],
    ) -> Template | Redirect:
        return await _submit(desk, config, request, data)

    @get("/recibo", name="webform:receipt", include_in_schema=False)
    async def receipt(
        desk: NamedDependency[PluginDesk], request: Request[Any, Any, Any]
    ) -> Template:
        return _receipt_page(read_card(desk, request))

    return [show_form, submit, receipt]


async def _submit(
    desk: PluginDesk, config: WebformConfig, request: Request[Any, Any, Any], data: dict[str, Any]
) -> Template | Redirect:
    if str(data.get(HONEYPOT, "")).strip():
        log.info("webform: honeypot field filled; submission refused")
        return _problem(
            400,
            "Envio recusado",
            "O envio foi recusado. Se você é uma pessoa, recarregue o formulário e tente de novo.",
        )
    draft, ticket = Draft.from_form(data), str(data.get("ticket", ""))
    previous, chosen = _kept_before(desk, data)
    files = [*restore(desk, chosen), *await _uploads(data)]
    state = read(desk, ticket, config)
    if state is not Ticket.OK:
        log.info("webform: form ticket %s; form shown again", state.value)
        return _ticket_refused(desk, config, state, draft, files, previous)
    address = client_ip(request, desk.settings.trusted_proxies)
    # the signed ticket is this submission's idempotency key: sending the same form again
    # (a reload, a lost answer) gets the same receipt, not a second manifestation
    outcome = await register(desk, config, draft, files, address, key=f"webform:{ticket}")
    if outcome.receipt is None:
        return _again(desk, config, outcome.status, draft, outcome.errors, files, previous)
    discard(desk, previous)
    return _done(desk, outcome, draft)


def _ticket_refused(
    desk: PluginDesk,
    config: WebformConfig,
    state: Ticket,
    draft: Draft,
    files: list[IncomingFile],
    previous: list[Kept],
) -> Template:
    """The form again: with the fields' own errors first, whatever the ticket says (the
    citizen fixes them all at once); else the ticket's reason, or a plain request to
    confirm when the form only came back quickly."""
    errors = problems(desk, config, draft, files)
    if errors:
        return _again(desk, config, 422, draft, errors, files, previous)
    if state is Ticket.TOO_FAST:
        return _again(desk, config, 200, draft, {}, files, previous, notice=CONFIRM)
    status, message = _TICKET_PROBLEMS[state]
    return _again(desk, config, status, draft, {"form": message}, files, previous)


def _kept_before(desk: PluginDesk, data: Mapping[str, Any]) -> tuple[list[Kept], list[Kept]]:
    """The files kept by an earlier try, and those the citizen left ticked."""
    items = kept(desk, str(data.get("kept", "")))
    ticked = data.get("keep", [])
    ticked = {str(t) for t in (ticked if isinstance(ticked, list) else [ticked])}
    return items, [item for n, item in enumerate(items) if str(n) in ticked]


def _again(
    desk: PluginDesk,
    config: WebformConfig,
    status: int,
    draft: Draft,
    errors: Errors,
    files: list[IncomingFile],
    previous: list[Kept],
    notice: str = "",
) -> Template:
    """The form again with what was typed, keeping the files that passed the checks."""
    accepted, _ = check_files(files, config)
    discard(desk, previous)
    token, items = keep(desk, accepted, config.max_form_age_hours)
    context = {
        "draft": draft,
        "errors": errors,
        "kept_token": token,
        "kept_files": items,
        "notice": notice,
    }
    return _form(config, desk, status, **context)
