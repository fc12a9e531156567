"""The bulk-import job: the organizer's upload, imported by the worker with progress."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from summit.jobs import handler, report_progress
from summit.models import Job
from summit.services.imports import import_blueprints, parse, summary_of

PROGRESS_EVERY = 250


@handler("import_blueprints")
def run_import(job: Job) -> dict[str, Any]:
    payload = json.loads(job.payload)
    rows = parse(payload["data"].encode("utf-8"), payload.get("filename", ""))
    report_progress(
        job, 0, len(rows), ngettext("Checking %(num)d row…", "Checking %(num)d rows…", len(rows))
    )

    last = [0, len(rows)]

    def progress(done: int, total: int) -> None:
        last[:] = [done, total]
        if done % PROGRESS_EVERY == 0 or done == total:
            report_progress(
                job, done, total, _("Imported %(done)d of %(total)d…", done=done, total=total)
            )

    report = import_blueprints(
        job.created_by_id,
        job.summit_id or 0,
        rows,
        partial=bool(payload.get("partial")),
        progress=progress,
    )
    # Written with the rows, in one transaction: on SQLite, whose one writer is this import,
    # the progress beats above could not be written while it ran.
    job.done, job.total = last
    result = {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "new_accounts": report.new_accounts,
        "error_count": len(report.errors),
        "partial": bool(payload.get("partial")),
    }
    message = outcome(result)
    return {"message": message, **result, "errors": report.errors[:500]}


def outcome(result: dict[str, Any]) -> str:
    """A finished import in words, from its counts: worded again for each reader, so an
    organizer reading German sees German whoever started the import."""
    refused = int(result.get("error_count", 0))
    if refused and not result.get("partial"):
        return str(
            ngettext(
                "Nothing was imported: %(num)d row has errors. "
                "Fix it, or tick “Import the good rows even if some rows are bad”.",
                "Nothing was imported: %(num)d rows have errors. "
                "Fix them, or tick “Import the good rows even if some rows are bad”.",
                refused,
            )
        )
    summary = summary_of(
        int(result.get("created", 0)),
        int(result.get("updated", 0)),
        int(result.get("unchanged", 0)),
        int(result.get("new_accounts", 0)),
        refused,
    )
    return str(_("Import finished: %(summary)s.", summary=summary))
