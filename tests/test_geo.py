"""Places: locating cities and drawing the map."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from icn.core.geo import (
    MAP_HEIGHT,
    MAP_WIDTH,
    _split_at_antimeridian,
    find_city,
    land_path,
    project,
    spread_labels,
)


def test_a_city_is_found_by_its_name_or_an_alternate_spelling():
    liege = find_city("Liege", "BE")
    assert liege is not None and liege.name == "Liège"
    assert round(liege.latitude) == 51


def test_a_city_in_another_country_is_not_found():
    assert find_city("Copenhagen", "NO") is None


@given(st.floats(-180, 180), st.floats(-58, 84))
def test_every_place_on_the_mapped_latitudes_projects_inside_the_map(longitude, latitude):
    x, y = project(longitude, latitude)
    assert 0 <= x <= MAP_WIDTH and 0 <= y <= MAP_HEIGHT


def test_a_ring_that_crosses_the_antimeridian_is_cut_where_it_jumps():
    pieces = _split_at_antimeridian([(178, 0), (179, 1), (-179, 1), (-178, 0)])
    assert pieces == [[(178, 0), (179, 1)], [(-179, 1), (-178, 0)]]


def test_the_land_path_draws_no_stroke_across_the_whole_map():
    for subpath in land_path().split("M")[1:]:
        xs = [float(pair.split(",")[0]) for pair in subpath.rstrip("Z").split()]
        steps = [abs(a - b) for a, b in itertools.pairwise(xs)]
        assert max(steps, default=0) < MAP_WIDTH / 2


def test_labels_of_nearby_markers_are_not_drawn_on_top_of_each_other():
    assert spread_labels([(100, 100), (110, 105), (400, 100)]) == [True, False, True]
