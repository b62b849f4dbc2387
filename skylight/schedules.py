"""django-q2 schedules installed by name: `migrate` and `ensure_schedule` create them, and
repair one a person edited, so running either again is harmless."""


def schedule_install(*, name: str, func: str, minutes: int, using: str = "default") -> None:
    """Creates or repairs the schedule `name`: run `func` every `minutes`, forever."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name=name,
        defaults={
            "func": func,
            "schedule_type": Schedule.MINUTES,
            "minutes": minutes,
            "repeats": -1,
        },
    )
