"""Background jobs of screening."""

from __future__ import annotations

from django_tasks import task

from bankcrm.screening import services


@task()
def rescreen(run_id: int) -> dict[str, object]:
    """``screening.rescreen``: re-screen every party against the active list versions, updating
    the run's progress (:func:`bankcrm.screening.services.rescreen_all`). Idempotent."""
    from bankcrm.screening.models import ScreeningRun

    run = ScreeningRun.objects.filter(pk=run_id).first()
    if run is None or run.status == ScreeningRun.Status.DONE:
        # Already run inline (e.g. by `bankcrm lists import`): nothing left to do.
        return services.progress_of(run) if run else {"id": run_id, "status": "missing"}
    return services.progress_of(services.rescreen_all(run_id=run_id))
