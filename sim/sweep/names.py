"""One sweep name, one experiment: a name already used for other jobs is refused unless the
user asks to add to it (``trisim sweep NAME --add ...``, ``trisim --add -m ...``)."""

from __future__ import annotations

from typing import Any


def reused_with_other_jobs(plan: Any) -> str:
    """'' if the sweep folder is new or was planned with the same jobs (a resume, or a retry of
    some of them); else one line saying that the sweep name already holds other jobs.

    A sweep name reused with another configuration would otherwise mix two experiments in one
    folder (and one report): 12-month runs beside 120-month runs, or replications 0-3 twice.
    """
    from sim.results import PLAN, read_json

    old = read_json(plan.directory / PLAN) or {}
    before = {j.get("job_id") for j in old.get("jobs", [])}
    new = [j.job_id for j in plan.jobs if j.job_id not in before]
    if not before or not new:
        return ""
    return (f"sweep {plan.sweep_id} already holds {len(before)} job(s) of another configuration (e.g. "
            f"{sorted(before)[0]}), not {new[0]}: choose another name, or add these jobs to it with "
            f"trisim sweep {plan.sweep_id} --add ... (trisim --add -m ...)")
