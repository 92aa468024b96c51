"""Staff administration (admins only): list, create, roles, teams, active, enrolment.

Views stay thin: every change is a ``do_*`` action in ``balcao.accounts.services``,
which checks ``staff.manage`` and records a ``StaffChange``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from balcao.accounts import services
from balcao.accounts.models import StaffChange, User
from balcao.accounts.roles import ROLES
from balcao.cases.models import Team
from balcao.console.decorators import staff_view
from balcao.console.forms import add_service_errors
from balcao.errors import Refused

LINK_KEY = "console:staff:link"  # the raw enrolment link, shown once on the next page


def _role_choices():
    return [(name, label) for name, label in ROLES.items()]


class StaffForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Usuário"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("Nome"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Sobrenome"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Papéis"), choices=_role_choices, widget=forms.CheckboxSelectMultiple
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Equipes"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AccessForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Papéis"),
        choices=_role_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Equipes"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _issued(request, user: User, raw: str) -> None:
    request.session[LINK_KEY] = {"user": user.pk, "url": services.enrolment_url(raw)}


@staff_view("staff.manage")
def staff_list(request):
    users = (
        User.objects.annotate(
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.filter(name__in=ROLES)),
            "teams",
        )
        .order_by("-is_active", "username")
    )
    rows = [
        {
            "user": user,
            "roles": [ROLES[g.name] for g in user.groups.all()],
            "teams": [t.name for t in user.teams.all()],
        }
        for user in users
    ]
    return render(request, "console/staff_list.html", {"rows": rows})


@staff_view("staff.manage")
def staff_new(request):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, raw = services.do_create_staff(
                request.user,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                roles=data["roles"],
                teams=list(data["teams"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except (Refused, services.LoginError) as error:
            form.add_error(None, str(error))
        else:
            _issued(request, user, raw)
            messages.success(request, _("Membro da equipe criado."))
            return redirect("console:staff_detail", pk=user.pk)
    return render(request, "console/staff_new.html", {"form": form})


@staff_view("staff.manage")
def staff_detail(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    initial = {
        "roles": list(person.groups.filter(name__in=ROLES).values_list("name", flat=True)),
        "teams": list(person.teams.all()),
    }
    form = AccessForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_set_roles(request.user, person, form.cleaned_data["roles"])
            services.do_set_teams(request.user, person, list(form.cleaned_data["teams"]))
        except (Refused, services.LoginError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Alterações salvas."))
            return redirect("console:staff_detail", pk=person.pk)
    link = request.session.pop(LINK_KEY, None)
    link_url = link["url"] if link and link.get("user") == person.pk else None
    return render(
        request,
        "console/staff_detail.html",
        {
            "person": person,
            "form": form,
            "link_url": link_url,
            "enrolled": TOTPDevice.objects.filter(user=person, confirmed=True).exists(),
            "changes": StaffChange.objects.filter(user=person).select_related("actor")[:50],
        },
    )


@require_POST
@staff_view("staff.manage")
def staff_active(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    try:
        services.do_set_active(request.user, person, request.POST.get("active") == "1")
    except Refused as error:
        messages.error(request, str(error))
    return redirect("console:staff_detail", pk=person.pk)


@require_POST
@staff_view("staff.manage")
def staff_enrolment(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    try:
        raw = services.do_reissue_enrolment(request.user, person)
    except (Refused, services.LoginError) as error:
        messages.error(request, str(error))
    else:
        _issued(request, person, raw)
    return redirect("console:staff_detail", pk=person.pk)
