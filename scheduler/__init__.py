"""The session scheduler: a pure library (no Flask, no database).

from scheduler import solve, check, score
result = solve(problem, SolveOptions(time_limit=10, seed=1))
"""

from scheduler.solver import solve
from scheduler.types import Placement, Problem, Result, SolveOptions, Status, Stop
from scheduler.validate import check, score

__all__ = [
    "Placement",
    "Problem",
    "Result",
    "SolveOptions",
    "Status",
    "Stop",
    "check",
    "score",
    "solve",
]
