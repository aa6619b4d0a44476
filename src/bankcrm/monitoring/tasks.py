"""Background jobs of transaction monitoring."""

from __future__ import annotations

from django_tasks import task

from bankcrm.monitoring import services


@task()
def run_monitoring() -> dict[str, int]:
    """``monitoring.run``: run every scenario over the whole history up to the clock's date and
    draft the CTRs due. Idempotent: alerts are deduplicated by their key, CTRs by party and day."""
    run, _ = services.run_monitoring(actor=None)
    ctrs = services.generate_ctrs(actor=None)
    return {"new": run.alerts_new, "open": run.alerts_open, "suppressed": run.alerts_suppressed, "ctrs": len(ctrs)}
