"""Per-process name snapshots (cases.lookups): fresh after a save here, after TTL elsewhere,
and never missing a row created by another process."""

import pytest

from balcao.cases import lookups
from balcao.cases.models import Team


@pytest.fixture
def team(db):
    return Team.objects.create(slug="marcas", name="Marcas")


def test_save_in_this_process_drops_the_snapshot(team):
    assert lookups.team_slugs.get(team.pk) == "marcas"
    team.slug = "marcas-e-desenhos"
    team.save()
    assert lookups.team_slugs.get(team.pk) == "marcas-e-desenhos"


def test_unknown_id_reloads_instead_of_answering_none(team):
    lookups.team_slugs.rows()  # snapshot taken before the row below exists
    # bulk_create sends no signal: as if another process had created the team
    [other] = Team.objects.bulk_create([Team(slug="patentes", name="Patentes")])
    assert lookups.team_slugs.get(other.pk) == "patentes"
    assert lookups.ids_with_slug(lookups.team_slugs, "patentes") == [other.pk]


def test_change_elsewhere_is_seen_after_ttl(team, monkeypatch):
    assert lookups.team_slugs.get(team.pk) == "marcas"
    # update() sends no signal: as if another process had renamed the team
    Team.objects.filter(pk=team.pk).update(slug="renomeada")
    assert lookups.team_slugs.get(team.pk) == "marcas"  # within TTL
    clock = lookups.time.monotonic() + lookups.TTL + 1
    monkeypatch.setattr(lookups.time, "monotonic", lambda: clock)
    assert lookups.team_slugs.get(team.pk) == "renomeada"


def test_none_and_missing_ids(team):
    assert lookups.team_slugs.get(None) is None
    assert lookups.team_slugs.get(10**9) is None
    assert lookups.ids_with_slug(lookups.team_slugs, "nao-existe") == []


def test_states_by_slug_and_category(db):
    from balcao.cases.models import State

    open_ids = set(State.objects.filter(category="open").values_list("id", flat=True))
    assert open_ids and set(lookups.state_ids_in("open")) == open_ids
    some = State.objects.first()
    assert some.pk in lookups.state_ids_with_slug(some.slug)
    assert lookups.states.get(some.pk) == (some.slug, some.name, some.category)


def test_list_filters_by_slug_through_the_snapshots(client, staff, open_case):
    from balcao.api.models import ApiToken

    _, raw = ApiToken.issue(name="lookups", user=staff["supervisor"], scopes=["cases:read"])

    class Caller:
        def get(self, url):
            return client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")

    api_caller = Caller()
    case = open_case()
    assert [
        i["id"] for i in api_caller.get("/api/v1/cases?channel=fale-conosco").json()["items"]
    ] == [case.pk]
    assert api_caller.get("/api/v1/cases?channel=nao-existe").json()["items"] == []
    assert api_caller.get("/api/v1/cases?team=nao-existe").json()["items"] == []
    item = api_caller.get("/api/v1/cases").json()["items"][0]
    assert (item["channel"], item["state"]) == ("fale-conosco", case.state.slug)
