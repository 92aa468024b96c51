"""balcao.db.postgresql: Django's backend with psycopg's C timestamp loader."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from balcao.db.functions import JoinedText

pytestmark = pytest.mark.django_db


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only (DATABASE_URL=postgres://…; CI runs it)")


def test_timestamps_come_back_aware_in_utc_to_the_microsecond(make_user):
    _postgresql_only()
    from balcao.db.postgresql.base import UTCTimestamptzLoader

    assert connection.vendor == "postgresql"
    when = datetime.datetime(2026, 3, 8, 23, 59, 59, 123456,
                             tzinfo=datetime.timezone(datetime.timedelta(hours=-3)))
    user = make_user(username="relogio", date_joined=when)
    with connection.cursor() as cursor:
        loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text
        assert loader is UTCTimestamptzLoader
        cursor.execute("SELECT date_joined, NULL::timestamptz FROM accounts_user WHERE id = %s",
                       [user.pk])
        loaded, null = cursor.fetchone()
    assert loaded == when and null is None
    assert loaded.tzinfo is datetime.UTC
    assert loaded.isoformat() == "2026-03-09T02:59:59.123456+00:00"
    # and through the ORM, with Django's own conversions
    from balcao.accounts.models import User

    assert User.objects.get(pk=user.pk).date_joined == when
    assert timezone.is_aware(User.objects.values_list("date_joined", flat=True).get(pk=user.pk))


def test_joined_text_on_this_database(make_user):
    from django.contrib.auth.models import Group

    from balcao.accounts.models import User

    user = make_user("agent", username="dois.grupos")
    user.groups.add(Group.objects.get(name="ombudsman"))
    joined = (User.objects.filter(pk=user.pk).values("pk")
              .annotate(names=JoinedText("groups__name")).get()["names"])
    assert sorted(joined.split(",")) == ["agent", "ombudsman"]
