"""Yearly assessments and the two-years-incompetent rule (001 §6), re-exported by `services`.

001 §6: 对连续两年被评定为“不称职”的社区两委班子成员和社区工作人员,要责令辞职、依法罢免或解聘.
The number of years is the profile key `staffing.unfit_years` (loudi: 2); a profile without it
flags nobody. A person is flagged for dismissal when their assessments of the last
`staffing.unfit_years` consecutive calendar years up to their most recent assessment are all
"incompetent", and that most recent assessment is of one of the last two years (by the clock):
an old run followed by years without assessment is no longer current. Grades are personal data: recording and reading them needs
`workforce.personal` over the community (the secretary, street, district), or it is one's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, inputs, profiles
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.workforce.models import Assessment, Grade, Worker

UNFIT_KEY = "staffing.unfit_years"


def record_assessment(
    worker: Worker, *, actor: User, year: int, grade: str, comments: str = ""
) -> Assessment:
    """The worker's assessment of `year` (not a year still to come). One per person and year."""
    grant = access.require(
        actor, Action.WORKFORCE_PERSONAL, worker.place_path, read_action=Action.WORKFORCE_VIEW
    )
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose the grade.")})
    if not 2000 <= year <= clock.today().year:
        raise ValidationError({"year": _("Assess a past year or this year.")})
    if year < worker.started_on.year:
        raise ValidationError({"year": _("The worker had not started in that year.")})
    comments = inputs.text(comments, "comments", 500, required=False)
    if Assessment.objects.filter(resident_id=worker.resident_id, year=year).exists():
        raise ValidationError(
            {"year": _("This person is already assessed for %(y)s.") % {"y": year}}
        )
    try:
        with transaction.atomic():
            made = Assessment.objects.create(
                worker=worker,
                resident_id=worker.resident_id,
                year=year,
                grade=grade,
                comments=comments,
                assessed_by=actor,
                place_path=worker.place_path,
            )
            audit.record(
                actor=actor,
                action="workforce.assessment_add",
                target=made,
                target_repr=f"{worker.resident.name} · {year}",
                place_path=worker.place_path,
                post=grant.post,
                changes={"year": [None, year], "grade": [None, grade]},
            )
    except IntegrityError:
        raise ValidationError(
            {"year": _("This person is already assessed for %(y)s.") % {"y": year}}
        ) from None
    return made


def unfit_years(worker: Worker) -> int | None:
    """The profile's number of consecutive incompetent years, or None where it sets none."""
    profile = profiles.effective_profile(worker.community)
    if profile is None or not profile.ok or not profile.is_set(UNFIT_KEY):
        return None
    value = profile.get(UNFIT_KEY)
    return int(value) if value else None


def flagged(grades: Iterable[tuple[int, str]], years: int | None, this_year: int) -> bool:
    """Whether a person's (year, grade) pairs make them flagged under a run of `years`: their
    most recent assessment and the `years - 1` calendar years before it are all incompetent,
    and that most recent assessment is of one of the last two years (a year's assessment is
    made early the next year: in January 2027 the 2024–2025 run is still current; in 2028,
    with 2026 and 2027 never assessed, it is not)."""
    if not years:
        return False
    by_year = dict(grades)
    if not by_year:
        return False
    latest = max(by_year)
    if latest < this_year - 2:
        return False
    return all(by_year.get(latest - k) == Grade.INCOMPETENT for k in range(years))


def is_flagged(worker: Worker) -> bool:
    grades = Assessment.objects.filter(resident_id=worker.resident_id).values_list("year", "grade")
    return flagged(list(grades), unfit_years(worker), clock.today().year)


def flagged_workers(workers: list[Worker]) -> set[int]:
    """Ids of the active workers flagged for dismissal: one query for the grades, one for the
    profile setters."""
    if not workers:
        return set()
    communities = list({w.community for w in workers})
    setters = profiles.profile_setters(communities)
    years_of: dict[int, int | None] = {}
    for pk, setter in setters.items():
        profile = profiles.current(setter.policy_profile) if setter else None
        ok = profile is not None and profile.ok and profile.is_set(UNFIT_KEY)
        years_of[pk] = int(profile.get(UNFIT_KEY) or 0) if ok and profile else None
    grades: dict[int, list[tuple[int, str]]] = {}
    for resident_id, year, grade in Assessment.objects.filter(
        resident_id__in=[w.resident_id for w in workers]
    ).values_list("resident_id", "year", "grade"):
        grades.setdefault(resident_id, []).append((year, grade))
    this_year = clock.today().year
    return {
        w.pk
        for w in workers
        if flagged(grades.get(w.resident_id, []), years_of.get(w.community_id), this_year)
    }
