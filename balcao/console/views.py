"""Staff console views: parse the request, call cases.services, render."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from balcao.cases import services
from balcao.console.decorators import staff_view

PAGE_SIZE = 50


@staff_view("cases.view")
def case_list(request):
    cases = (
        services.visible_cases(request.user)
        .select_related("state", "channel", "assignee", "team")
        .order_by("-created_at", "-id")[:PAGE_SIZE]
    )
    return render(request, "console/case_list.html", {"cases": cases})


@staff_view("cases.view")
def case_detail(request, protocol: str):
    case = get_object_or_404(
        services.visible_cases(request.user).select_related("state", "channel", "requester"),
        protocol=protocol,
    )
    return render(request, "console/case_detail.html", {"case": case})
