"""``GET /api/v1/telephony/open-now?line=<slug>[&lang=en]``: asked by the PBX's dialplan
before queueing a call, to play the after-hours message when the line is closed (issue 23,
"Hours and messages"; the logic is ``balcao.telephony.lines``).

Authentication: a bearer token with the ``telephony:hours`` scope (``balcao token create
--scope telephony:hours``), whatever its user's roles — the PBX's service account needs no
staff role, and the scope gives it nothing else; or the console's verified session of any
member of staff. The answer holds no personal data (opening hours and recorded messages).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Schema

from balcao.accounts.roles import roles_of
from balcao.apikit.errors import ApiError
from balcao.apikit.permissions import token_scopes
from balcao.telephony import lines

router = Router(tags=["telephony"])

SCOPE = "telephony:hours"


class OpenNowOut(Schema):
    line: str
    open: bool
    now: str
    next_open: str | None
    message: str | None
    language: str | None


def _check(request) -> None:
    scopes = token_scopes(request)
    if scopes is None:
        allowed = bool(roles_of(request.user))
        reason = _("Você não tem permissão para esta ação.")
    else:
        allowed = SCOPE in scopes
        reason = _("O token não tem o escopo “%(scope)s”.") % {"scope": SCOPE}
    if not allowed:
        raise ApiError(403, "forbidden", reason)


@router.get(
    "/telephony/open-now",
    response=OpenNowOut,
    summary="A linha telefônica está aberta agora? (para o plano de discagem do PBX)",
)
def open_now(request, line: str, lang: str = ""):
    _check(request)
    found = lines.active_line(line[:50])
    if found is None:
        raise ApiError(404, "not_found", _("Linha telefônica desconhecida ou inativa."))
    return lines.open_now(found, language=lang[:20])
