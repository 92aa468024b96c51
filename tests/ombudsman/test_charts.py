"""Geometry of the transparency dashboard's charts (issue 21): scaling, suppressed counts
drawn as text and never as a bar, empty data. Pure: no database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from balcao.ombudsman import charts


def test_columns_are_scaled_to_the_largest_value_and_stand_on_the_axis():
    chart = charts.column_chart(
        [("jan", 40), ("fev", 10), ("mar", 20)], height=200, top=18, bottom=34
    )
    room = chart.baseline - 18
    jan, fev, mar = chart.bars
    assert chart.baseline == 166
    assert jan.height == room and fev.height == room / 4 and mar.height == room / 2
    assert all(bar.y + bar.height == chart.baseline for bar in chart.bars)
    assert [bar.text for bar in chart.bars] == ["40", "10", "20"]
    # side by side, in the order given, none overlapping
    assert jan.x + jan.width < fev.x < mar.x and mar.x + mar.width <= chart.width
    assert jan.value_y < jan.y and jan.label_y > chart.baseline


def test_a_suppressed_count_is_written_and_never_drawn_nor_counted_in_the_scale():
    chart = charts.column_chart([("jan", "< 5"), ("fev", 8)])
    jan, fev = chart.bars
    assert jan.suppressed and not jan.drawn and jan.height == 0 and jan.value is None
    assert jan.text == "< 5"
    assert fev.drawn and fev.height == chart.baseline - 18  # 8 is the largest published value
    bars = charts.bar_chart([("Reclamação", 12), ("Denúncia", "< 5")])
    assert bars.drawn_count == 1
    denuncia = bars.bars[1]
    assert denuncia.suppressed and denuncia.width == 0 and denuncia.text == "< 5"
    assert denuncia.value_x == 0  # written where its bar would start


def test_zero_is_not_drawn_and_a_tiny_count_is_still_visible():
    chart = charts.column_chart([("jan", 0), ("fev", 10_000), ("mar", 1)])
    jan, fev, mar = chart.bars
    assert not jan.drawn and jan.text == "0" and jan.height == 0
    assert mar.drawn and mar.height == charts.MIN_LENGTH


def test_empty_data_gives_an_empty_chart_without_dividing_by_zero():
    assert charts.column_chart([]).empty and charts.column_chart([]).bars == ()
    assert charts.bar_chart([]).empty
    nothing = charts.column_chart([("jan", 0), ("fev", 0)])
    assert nothing.empty and all(bar.height == 0 for bar in nothing.bars)
    only_suppressed = charts.bar_chart([("Denúncia", "< 5")])
    assert not only_suppressed.empty and only_suppressed.drawn_count == 0


def test_horizontal_bars_leave_room_for_their_value_and_stack_in_rows():
    chart = charts.bar_chart([("A", 30), ("B", 15)], width=400, row=40, value_room=52)
    a, b = chart.bars
    assert a.width == 348 and b.width == 174
    assert a.value_x == 354 and b.y - a.y == 40 and chart.height == 84
    assert a.label_y < a.y  # the label on its own line above the bar


def test_shares_are_scaled_to_the_whole_and_written_as_percentages():
    chart = charts.bar_chart(
        [("Sim", 0.6), ("Em parte", 0.2), ("Não", 0.2)], maximum=1, percent=True
    )
    assert [bar.text for bar in chart.bars] == ["60%", "20%", "20%"]
    assert chart.bars[0].width == round(0.6 * (chart.width - 48), 1)


def test_gauges():
    half = charts.gauge(0.5, 1, width=400)
    assert half.fill == 200 and half.fraction == 0.5
    score = charts.gauge(3.4, 5, width=400)
    assert score.fill == 272
    assert charts.gauge(None, 5).fill == 0 and charts.gauge(None, 5).fraction is None
    assert charts.gauge(7, 5, width=400).fill == 400  # never past the track


def test_breakdown_items_largest_first_suppressed_last():
    groups = {
        "Elogio": {"count": 7},
        "Denúncia": {"count": "< 5"},
        "Reclamação": {"count": 30},
        "Acesso à informação": {"count": "< 5"},
        "Sugestão": {"count": 7},
    }
    assert charts.ranked(groups) == [
        ("Reclamação", 30),
        ("Elogio", 7),
        ("Sugestão", 7),
        ("Acesso à informação", "< 5"),
        ("Denúncia", "< 5"),
    ]


def test_months_of_the_chart():
    assert charts.last_months("2026-03", 4) == ["2025-12", "2026-01", "2026-02", "2026-03"]
    assert len(charts.last_months("2026-03")) == 12
    assert charts.year_months(2025, "2026-03") == [f"2025-{m:02d}" for m in range(1, 13)]
    assert charts.year_months(2026, "2026-03") == ["2026-01", "2026-02", "2026-03"]
    by_month = {"2026-01": {"count": 12}, "2026-02": {"count": "< 5"}}
    assert charts.month_series(by_month, ["2025-12", "2026-01", "2026-02"]) == [
        ("2025-12", 0),
        ("2026-01", 12),
        ("2026-02", "< 5"),
    ]


values = st.lists(st.one_of(st.integers(min_value=0, max_value=10**6), st.just("< 5")), max_size=24)


@given(values)
def test_columns_keep_the_order_of_their_values_and_stay_in_the_chart(counts):
    chart = charts.column_chart([(str(i), v) for i, v in enumerate(counts)])
    drawn = [(bar.value, bar.height) for bar in chart.bars if bar.drawn]
    for bar in chart.bars:
        assert 0 <= bar.height <= chart.baseline - 18
        assert bar.x >= 0 and bar.x + bar.width <= chart.width + 0.1
        assert bar.drawn == (isinstance(bar.value, float) and bar.value > 0)
        assert not (bar.suppressed and bar.height)
    for (v1, h1), (v2, h2) in zip(drawn, drawn[1:], strict=False):
        assert h1 <= h2 if v1 <= v2 else h1 >= h2  # a larger count is never shorter
