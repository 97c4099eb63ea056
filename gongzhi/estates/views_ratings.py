"""Pages of issue 14 items 4, 5 and 7: the yearly ratings (surveys, the community's
assessment, the street's publication, the red and black list), the public red and black list,
"who runs my estate" for residents (with the survey to answer) and the property-company
staff's page. Thin: forms parse, selectors read, gongzhi.estates.ratings writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.estates import forms, ratings, selectors

VIEW = Action.ESTATE_VIEW
MANAGE = Action.ESTATE_MANAGE
RATE = Action.ESTATE_RATE


def _year(request: AuthenticatedRequest) -> int:
    raw = request.GET.get("year", "")
    years = selectors.rating_years()
    return int(raw) if raw.isdigit() and int(raw) in years else years[0]


def _back(year: object) -> HttpResponse:
    response = redirect("estates:ratings")
    response["Location"] += f"?year={year}"
    return response


@login_required
@requires(VIEW)
def ratings_page(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    year = _year(request)
    manage = access.has_any(user, MANAGE)
    rate = access.has_any(user, RATE)
    context: dict[str, Any] = {
        "year": year,
        "years": selectors.rating_years(),
        "evaluations": list(selectors.evaluations(user, year)),
        "entries": list(selectors.redblack(user, year)),
        "surveys": list(selectors.surveys(user, clock.today().year)),
        "this_year": clock.today().year,
        "manage": manage,
        "rate": rate,
    }
    if manage:
        context["assess_form"] = forms.AssessForm(
            bodies=selectors.assess_choices(user), initial={"year": year}
        )
        context["survey_form"] = forms.SurveyForm(
            choices={"estate": selectors.estates_for(user)[:300]},
            initial={"year": clock.today().year},
        )
    if rate:
        streets = selectors.streets_for(user)
        context["publish_form"] = forms.PublishForm(
            choices={"street": streets}, initial={"year": year}
        )
        context["redblack_form"] = forms.RedBlackForm(
            choices={"street": streets},
            bodies=selectors.list_choices(user),
            initial={"year": year},
        )
    return render(request, "estates/ratings.html", context)


@login_required
@require_POST
@requires(MANAGE)
def survey_open(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    refusals.act(
        request,
        forms.SurveyForm(request.POST, choices={"estate": selectors.estates_for(user)}),
        lambda d: ratings.open_survey(
            d["estate"], actor=user, year=d["year"], closes_on=d["closes_on"]
        ),
        _("The survey is open."),
    )
    return _back(request.POST.get("year", ""))


@login_required
@require_POST
@requires(MANAGE)
def assess(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = forms.AssessForm(request.POST, bodies=selectors.assess_choices(user))

    def run(d: dict[str, Any]) -> object:
        found = selectors.resolve_body(user, d["body"])
        if found is None:
            raise ValidationError({"body": _("Choose a body of your community.")})
        body, community = found
        return ratings.assess(
            body,
            actor=user,
            year=d["year"],
            assessment=d["assessment"],
            note=d["note"],
            community=community,
        )

    refusals.act(request, form, run, _("The assessment is recorded."))
    return _back(request.POST.get("year", ""))


@login_required
@require_POST
@requires(RATE)
def publish(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = forms.PublishForm(request.POST, choices={"street": selectors.streets_for(user)})
    refusals.act(
        request,
        form,
        lambda d: ratings.publish_year(d["street"], actor=user, year=d["year"]),
        _("The ratings and the red and black list are published."),
    )
    return _back(request.POST.get("year", ""))


@login_required
@require_POST
@requires(RATE)
def redblack_add(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = forms.RedBlackForm(
        request.POST,
        choices={"street": selectors.streets_for(user)},
        bodies=selectors.list_choices(user),
    )

    def run(d: dict[str, Any]) -> object:
        found = selectors.resolve_body(user, d["body"], RATE)
        if found is None:
            raise ValidationError({"body": _("Choose a body under your street.")})
        return ratings.add_redblack(
            d["street"],
            found[0],
            actor=user,
            year=d["year"],
            colour=d["colour"],
            reason=d["reason"],
            evidence=d["evidence"],
        )

    refusals.act(request, form, run, _("The entry is on the list."))
    return _back(request.POST.get("year", ""))


@login_required
@requires(Action.COMMUNITY_PUBLIC_VIEW)
def redblack_public(request: AuthenticatedRequest) -> HttpResponse:
    """The published red and black lists of the viewer's street (residents read it)."""
    entries = list(selectors.public_redblack(request.user)[:500])
    return render(request, "estates/redblack.html", {"entries": entries})


@login_required
@requires(Action.ESTATE_MINE)
def mine(request: AuthenticatedRequest) -> HttpResponse:
    """Who runs my estate, its star level with the parts, and the survey (on the phone)."""
    user = request.user
    info = selectors.my_estate(user)
    form = forms.AnswerForm()
    if request.method == "POST" and info is not None and info.survey is not None:
        survey = info.survey
        form = forms.AnswerForm(request.POST)
        if refusals.act(
            request,
            form,
            lambda d: ratings.answer_survey(
                survey,
                actor=user,
                company_score=d["company_score"],
                committee_score=d["committee_score"],
            ),
            _("Thank you: your household's answer is recorded."),
        ):
            return redirect("estates:mine")
    elif request.method == "POST":
        messages.error(request, _("There is no survey to answer now."))
        return redirect("estates:mine")
    return render(request, "estates/mine.html", {"info": info, "form": form})


@login_required
@requires(Action.ESTATE_COMPANY)
def my_company(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request, "estates/my_company.html", {"rows": selectors.my_companies(request.user)}
    )
