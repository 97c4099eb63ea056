"""Forms of the party pages. Choices come from the views (already scoped); any id a form
accepts is resolved again in the user's scope by the view (404 outside)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.party.models import MemberStatus, OrgKind

STATUS_FILTERS = [
    ("", _("All")),
    ("open", _("Checked in (open)")),
    ("ended", _("Check-ins ended")),
    ("none", _("Not checked in")),
]


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def add_service_error(self, exc) -> None:
        """Put a service ValidationError on the matching field, else on the form."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                for message in errors:
                    self.add_error(field if field in self.fields else None, message)
        else:
            for message in exc.messages:
                self.add_error(None, message)


class OrgCreateForm(_Form):
    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(label=_("Name"), max_length=100)
    place = forms.TypedChoiceField(label=_("Bound place"), coerce=int, required=False)
    household = forms.TypedChoiceField(
        label=_("Household (party-member household only)"), coerce=int, required=False
    )

    def __init__(self, *args, kinds, place_choices, household_choices, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(OrgKind.choices)
        self.fields["kind"].choices = [(k, labels[k]) for k in kinds]
        self.fields["place"].choices = [("", "—"), *place_choices]
        self.fields["household"].choices = [("", "—"), *household_choices]
        if not household_choices:
            del self.fields["household"]


class OrgEditForm(_Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    secretary = forms.TypedChoiceField(
        label=_("Secretary / leader"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, member_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secretary"].choices = [("", _("(none)")), *member_choices]


class ResidentSearchForm(_Form):
    q = forms.CharField(label=_("Name or pinyin initials"), max_length=64, required=False)


class _MemberFields(_Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=MemberStatus.choices, initial=MemberStatus.FULL
    )
    joined_on = forms.DateField(
        label=_("Joined the party on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    in_service = forms.BooleanField(label=_("In-service member"), required=False)
    workplace = forms.CharField(label=_("Workplace"), max_length=100, required=False)
    workplace_org = forms.CharField(
        label=_("Workplace party organisation"), max_length=100, required=False
    )


class MemberAddForm(_MemberFields):
    resident = forms.IntegerField(label=_("Resident"), widget=forms.RadioSelect)

    def __init__(self, *args, resident_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].widget.choices = list(resident_choices)


class MemberEditForm(_MemberFields):
    pass


class MemberMoveForm(_Form):
    org = forms.TypedChoiceField(label=_("Move to organisation"), coerce=int)

    def __init__(self, *args, org_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = org_choices


class ReasonForm(_Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class CheckinForm(_Form):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int)
    workplace_org = forms.CharField(
        label=_("Workplace party organisation"), max_length=100, required=False
    )
    checked_in_on = forms.DateField(
        label=_("Checked in on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, community_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = community_choices


class CheckinEndForm(_Form):
    ended_on = forms.DateField(
        label=_("Ended on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class InServiceFilterForm(_Form):
    community = forms.TypedChoiceField(
        label=_("Community"), coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(label=_("Check-in"), choices=STATUS_FILTERS, required=False)

    def __init__(self, *args, community_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("All communities")), *community_choices]


class CommitteeMemberForm(_Form):
    """A member of a big committee; part-time members (兼职委员) name their source unit."""

    name = forms.CharField(label=_("Name"), max_length=50)
    duty = forms.ChoiceField(label=_("Duty"))
    part_time = forms.BooleanField(label=_("Part-time, from a partner unit"), required=False)
    source_unit = forms.CharField(label=_("Source unit"), max_length=100, required=False)
    term_start = forms.DateField(
        label=_("Term starts"), widget=forms.DateInput(attrs={"type": "date"})
    )
    term_end = forms.DateField(label=_("Term ends"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from gongzhi.party.models import CommitteeDuty

        super().__init__(*args, **kwargs)
        self.fields["duty"].choices = CommitteeDuty.choices


class BodyForm(_Form):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"))
    party_count = forms.IntegerField(
        label=_("Party members working there"), min_value=0, max_value=10000, initial=0
    )
    org = forms.TypedChoiceField(
        label=_("Party organisation"), coerce=int, required=False, empty_value=None
    )
    setup_form = forms.ChoiceField(label=_("Form of the party organisation"), required=False)

    def __init__(self, *args, communities=(), orgs=(), **kwargs):
        from gongzhi.party.models import BodyKind, SetupForm

        super().__init__(*args, **kwargs)
        self.fields["community"].choices = list(communities)
        self.fields["kind"].choices = BodyKind.choices
        self.fields["org"].choices = [("", _("None yet")), *orgs]
        self.fields["setup_form"].choices = [("", "—"), *SetupForm.choices]


class BodyOrgForm(_Form):
    org = forms.TypedChoiceField(
        label=_("Party organisation"), coerce=int, required=False, empty_value=None
    )
    setup_form = forms.ChoiceField(label=_("Form of the party organisation"), required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        from gongzhi.party.models import SetupForm

        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", _("None yet")), *orgs]
        self.fields["setup_form"].choices = [("", "—"), *SetupForm.choices]
