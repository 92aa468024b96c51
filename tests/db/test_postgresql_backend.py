"""balcao.db: the PostgreSQL backend with psycopg's C timestamp loader; prepared queries."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only (DATABASE_URL=postgres://…; CI runs it)")


def test_timestamps_come_back_aware_in_utc_to_the_microsecond(make_user):
    _postgresql_only()
    from balcao.db.postgresql.base import UTCTimestamptzLoader

    assert connection.vendor == "postgresql"
    when = datetime.datetime(
        2026, 3, 8, 23, 59, 59, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=-3))
    )
    user = make_user(username="relogio", date_joined=when)
    with connection.cursor() as cursor:
        loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text
        assert loader is UTCTimestamptzLoader
        cursor.execute(
            "SELECT date_joined, NULL::timestamptz FROM accounts_user WHERE id = %s", [user.pk]
        )
        loaded, null = cursor.fetchone()
    assert loaded == when and null is None
    assert loaded.tzinfo is datetime.UTC
    assert loaded.isoformat() == "2026-03-09T02:59:59.123456+00:00"
    # and through the ORM, with Django's own conversions
    from balcao.accounts.models import User

    assert User.objects.get(pk=user.pk).date_joined == when
    assert timezone.is_aware(User.objects.values_list("date_joined", flat=True).get(pk=user.pk))


def test_prepared_query_runs_with_new_values_on_this_database(make_user):
    from django.contrib.auth.models import Group

    from balcao.accounts.models import User
    from balcao.db.prepared import SENTINEL_TEXT, PreparedQuery

    first, second = make_user("agent", username="um"), make_user("ombudsman", username="dois")
    by_name = PreparedQuery(lambda name: User.objects.filter(username=name), SENTINEL_TEXT)
    assert by_name.first("um") == first and by_name.first("dois") == second
    assert by_name.first("ninguem") is None
    names = PreparedQuery(lambda pk: Group.objects.filter(user=pk).values_list("name"))
    assert names.column(first.pk) == ["agent"] and names.column(second.pk) == ["ombudsman"]
    # the instance comes back with Django's conversions (aware datetimes on every database)
    assert timezone.is_aware(by_name.first("um").date_joined)


def test_prepared_query_refuses_a_build_without_its_sentinel():
    from balcao.accounts.models import User
    from balcao.db.prepared import PreparedQuery

    with pytest.raises(ValueError, match="sentinel"):
        PreparedQuery(lambda pk: User.objects.filter(pk=1)).first(5)
