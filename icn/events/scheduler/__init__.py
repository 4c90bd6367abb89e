"""B2B meeting scheduling: accepted meeting requests placed into (slot, table), plain Python.

The contract the events app relies on: ``greedy`` places requests one by one in a few
milliseconds; ``solve`` starts from that, improves it with CP-SAT within a time limit and
proves how far from the best possible schedule it is (the bound of the linear relaxation,
solved with PDLP). Both explain every request they leave out.

The model works on slots only: the tables of a slot are interchangeable, so a request is
given a slot (at most ``tables`` meetings in it) and table numbers are dealt afterwards.
That is exact and removes the tables' symmetry from the search.

The modules, from what callers see inward:

- ``problem``: ``Request``, ``Problem``, ``Schedule`` and their JSON form;
- ``greedy``: ``greedy``, and the schedules ``solve`` starts from;
- ``search``: ``solve``, the large neighbourhood search with CP-SAT;
- ``cpsat``: the slot model in CP-SAT, and the whole model solved beside the search;
- ``bound``: ``lp_bound``, the counting bound and the linear relaxation (PDLP);
- ``result`` and ``explain``: a grid turned into a ``Schedule``, with a reason for every
  request left out;
- ``compiled`` and ``grid``: the problem checked and indexed, and the state a placement
  changes.
"""

from __future__ import annotations

from .bound import lp_bound
from .greedy import greedy
from .problem import (
    Problem,
    Request,
    Schedule,
    problem_from_json,
    problem_to_json,
    schedule_to_json,
)
from .search import solve

__all__ = [
    "Problem",
    "Request",
    "Schedule",
    "greedy",
    "lp_bound",
    "problem_from_json",
    "problem_to_json",
    "schedule_to_json",
    "solve",
]
