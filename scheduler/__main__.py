"""Command line: solve a problem file, or re-check a result against its problem.

    python -m scheduler solve PROBLEM.json --time-limit 10 --seed 1 [--work 8] --out RESULT.json
    python -m scheduler check PROBLEM.json RESULT.json

Exit status: 0 success; 1 infeasible / no schedule / broken hard rules; 2 malformed input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from scheduler.fileio import FormatError, load_problem, load_result, result_to_json
from scheduler.solver import solve
from scheduler.types import SolveOptions, Status
from scheduler.validate import check, score


def _solve(args: argparse.Namespace) -> int:
    started = time.perf_counter()  # the limit counts reading the file too
    problem = load_problem(args.problem)
    result = solve(
        problem,
        SolveOptions(
            time_limit=args.time_limit,
            seed=args.seed,
            work=args.work,
            workers=args.workers,
            log=args.log,
        ),
        started=started,
    )
    text = json.dumps(result_to_json(result), indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    summary = f"{result.status.value} in {result.seconds:.2f} s (stopped by {result.stopped_by})"
    if result.goals is not None:
        summary += (
            f"; objective {result.objective}, bound {result.bound}, gap {result.gap}; "
            f"attendee clashes {result.goals.attendee_conflicts}, same-track pairs "
            f"{result.goals.track_parallel_pairs}, extra rooms "
            f"{result.goals.track_extra_rooms}, moved {result.goals.moved_sessions}"
        )
    print(summary, file=sys.stderr)
    for reason in result.explanation:
        print(f"  - {reason}", file=sys.stderr)
    return 0 if result.status in (Status.OPTIMAL, Status.FEASIBLE) else 1


def _check(args: argparse.Namespace) -> int:
    problem = load_problem(args.problem)
    result = load_result(args.result)
    errors = check(problem, result.assignments)
    goals = score(problem, result.assignments)
    print(
        json.dumps(
            {
                "valid": not errors,
                "violations": [
                    {key: value for key, value in asdict(v).items() if value is not None}
                    for v in errors
                ],
                "goals": {
                    "attendee_conflicts": goals.attendee_conflicts,
                    "track_parallel_pairs": goals.track_parallel_pairs,
                    "track_extra_rooms": goals.track_extra_rooms,
                    "moved_sessions": goals.moved_sessions,
                },
                "weighted_objective": goals.weighted(problem.weights),
            },
            indent=2,
        )
    )
    return 0 if not errors else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scheduler", description="Summit's session scheduler."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="solve a problem file")
    solve_cmd.add_argument("problem")
    solve_cmd.add_argument("--time-limit", type=float, default=10.0, help="wall-clock seconds")
    solve_cmd.add_argument(
        "--work",
        type=float,
        help="deterministic work budget (S4: same problem, seed and work, same schedule); "
        "one unit is about one idle-machine second; default: the time limit",
    )
    solve_cmd.add_argument("--seed", type=int, default=0)
    solve_cmd.add_argument("--workers", type=int, default=2)
    solve_cmd.add_argument("--out")
    solve_cmd.add_argument("--log", action="store_true")
    check_cmd = commands.add_parser("check", help="re-check a result without CP-SAT")
    check_cmd.add_argument("problem")
    check_cmd.add_argument("result")
    args = parser.parse_args(argv)
    try:
        return _solve(args) if args.command == "solve" else _check(args)
    except FormatError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
