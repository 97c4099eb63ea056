"""Post management pages: who holds which post where, grant and revoke."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gongzhi.core import services
from gongzhi.core.directory import places
from gongzhi.core.gates import requires
from gongzhi.core.models import User
from gongzhi.core.roles import Action, Role

PAGE_SIZE = 50
STATUS_CHOICES = [
    ("active", gettext_lazy("Active")),
    ("revoked", gettext_lazy("Revoked")),
    ("all", gettext_lazy("All")),
]


def _context_place(request):
    """The place the page is narrowed to (?place=id), or None."""
    raw = request.GET.get("place") or request.POST.get("context") or ""
    if not raw.isdigit():
        return None
    return places.get_place(request.user, int(raw), Action.POST_MANAGE)


def _place_label(place) -> str:
    indent = "\u2003" * place.depth
    return f"{indent}{place.name} ({place.get_kind_display()})"


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        select = isinstance(field.widget, forms.Select)
        field.widget.attrs.setdefault("class", "form-select" if select else "form-control")


class PostFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or username"), required=False, max_length=64)
    role = forms.ChoiceField(label=gettext_lazy("Role"), required=False)
    place = forms.TypedChoiceField(label=gettext_lazy("Place"), required=False, coerce=int)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, place_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles")), *Role.choices]
        self.fields["place"].choices = [("", _("All places")), *place_choices]
        _bootstrap(self)


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    # Any place id is accepted here; the view resolves it in the user's scope (404).
    place = forms.IntegerField(label=gettext_lazy("Place"), widget=forms.Select)
    existing_username = forms.CharField(
        label=gettext_lazy("Existing user (username)"), required=False, max_length=64
    )
    new_username = forms.CharField(
        label=gettext_lazy("New user: username"), required=False, max_length=64
    )
    new_name = forms.CharField(label=gettext_lazy("New user: name"), required=False, max_length=64)
    new_password = forms.CharField(
        label=gettext_lazy("New user: initial password"),
        required=False,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_phone = forms.CharField(
        label=gettext_lazy("New user: mobile number (optional)"), required=False, max_length=11
    )

    # Service field name → form field name, for errors raised by the services.
    SERVICE_FIELDS = {
        "username": "new_username",
        "name": "new_name",
        "password": "new_password",
        "phone": "new_phone",
        "role": "role",
        "place": "place",
        "user": "existing_username",
    }

    def __init__(self, *args, roles, place_choices, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        # Residents join their household through the people registry, not here.
        self.fields["role"].choices = [
            (r, labels[r]) for r in Role.values if r in roles and r != Role.RESIDENT
        ]
        self.fields["place"].widget.choices = place_choices
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        existing = data.get("existing_username", "").strip()
        new = data.get("new_username", "").strip()
        if bool(existing) == bool(new):
            raise ValidationError(
                _("Give either the username of an existing user or the details of a new user.")
            )
        if existing:
            data["user"] = User.objects.filter(username=existing).first()
            if data["user"] is None:
                self.add_error("existing_username", _("No user has this username."))
        return data

    def add_service_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                name = self.SERVICE_FIELDS.get(field)
                for message in errors:
                    self.add_error(name if name in self.fields else None, message)
        else:
            for message in exc.messages:
                self.add_error(None, message)


def _grant_form(request, context, data=None):
    choices = [(p.pk, _place_label(p)) for p in services.managed_places(request.user, context)]
    initial = {"place": context.pk} if context else None
    return GrantForm(
        data,
        initial=initial,
        roles=services.grantable_roles(request.user),
        place_choices=choices,
    )


@login_required
@requires(Action.POST_MANAGE)
def index(request):
    context = _context_place(request)
    place_list = services.managed_places(request.user, context)
    choices = [(p.pk, _place_label(p)) for p in place_list]
    filters = PostFilterForm(request.GET or None, place_choices=choices)
    qs = services.visible_posts(request.user)
    status = "active"
    if filters.is_valid():
        data = filters.cleaned_data
        status = data["status"] or "active"
        if data["q"]:
            qs = qs.filter(Q(user__name__icontains=data["q"]) | Q(user__username=data["q"]))
        if data["role"]:
            qs = qs.filter(role=data["role"])
    if context is not None:
        qs = qs.filter(place__path__under=context.path)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "revoked":
        qs = qs.filter(is_active=False)
    page = Paginator(qs.order_by("place__path", "role", "user__name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for post in page:
        post.can_revoke = _can_revoke(request.user, post)
    return render(
        request,
        "core/posts.html",
        {
            "page": page,
            "filters": filters,
            "context_place": context,
            "grant_form": _grant_form(request, context),
        },
    )


@login_required
@requires(Action.POST_MANAGE)
def grant(request):
    context = _context_place(request)
    form = _grant_form(request, context, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = places.get_place(request.user, data["place"], Action.POST_MANAGE)
        try:
            if data.get("user") is not None:
                post = services.grant_post(data["user"], data["role"], place, actor=request.user)
            else:
                post = services.grant_post_to_new_user(
                    actor=request.user,
                    username=data["new_username"],
                    name=data["new_name"],
                    password=data["new_password"],
                    phone=data["new_phone"] or None,
                    role=data["role"],
                    place=place,
                )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("%(user)s now holds the post %(post)s.") % {"user": post.user, "post": post},
            )
            url = redirect("posts:list").url
            return redirect(f"{url}?place={place.pk}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "core/post_grant.html",
        {"form": form, "context_place": context},
        status=status,
    )


def _can_revoke(user: User, post) -> bool:
    path = post.place.path if post.place_id else ""
    return post.is_active and post.role in services.grantable_roles(user, path)


def _revoke_form(request, post, *, error: str = "", reason: str = "", status: int = 200):
    """The revoke form: the body of the posts table's dialog under htmx, else a page."""
    htmx = request.headers.get("HX-Request") == "true"
    context = {"post": post, "error": error, "reason": reason, "dialog": htmx}
    if htmx:
        response = render(request, "core/_post_revoke.html", context, status=status)
        response["X-Gz-Dialog"] = "1"
        return response
    return render(request, "core/post_revoke.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.POST_MANAGE)
def revoke(request, pk: int):
    """GET: the revoke form (with its reason), in the posts table's dialog or as a page.
    POST: revoke, then back to the list — or, from the dialog, the row again and a toast."""
    post = get_object_or_404(services.visible_posts(request.user), pk=pk)
    htmx = request.headers.get("HX-Request") == "true"
    if request.method == "GET":
        if not post.is_active:
            return _revoke_form(
                request, post, error=_("This post has already been revoked."), status=409
            )
        if not _can_revoke(request.user, post):
            raise PermissionDenied
        return _revoke_form(request, post)
    reason = request.POST.get("reason", "")[:500]
    try:
        services.revoke_post(post, actor=request.user, reason=reason)
    except ValidationError as exc:
        if htmx:
            return _revoke_form(request, post, error=" ".join(exc.messages), status=409)
        messages.error(request, " ".join(exc.messages))
    else:
        done = _("The post %(post)s has been revoked.") % {"post": post}
        if htmx:
            post.refresh_from_db()
            post.can_revoke = False
            response = render(request, "core/_post_revoked.html", {"post": post, "message": done})
            response["X-Gz-Dialog"] = "1"
            response["HX-Trigger"] = json.dumps({"gzDialogDone": {"post": post.pk}})
            return response
        messages.success(request, done)
    url = redirect("posts:list").url
    return redirect(f"{url}?place={post.place_id}" if post.place_id else url)
