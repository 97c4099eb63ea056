from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gongzhi.core import health
from gongzhi.core import views as core_views
from gongzhi.tickets import views_stats

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("display/text-size/", core_views.text_size, name="text_size"),
    path("login/", core_views.login_view, name="login"),
    path("login/sms/", core_views.sms_login_view, name="login_sms"),
    path("login/otp/", core_views.otp_verify, name="otp_verify"),
    path("login/otp/setup/", core_views.otp_setup, name="otp_setup"),
    path("logout/", core_views.logout_view, name="logout"),
    path("account/password/", core_views.password_change, name="password_change"),
    path("accounts/", include("gongzhi.core.urls_accounts")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("places/", include("gongzhi.places.urls")),
    path("people/import/", include("gongzhi.people.urls_import")),
    path("people/", include("gongzhi.people.urls")),
    path("compliance/", include("gongzhi.places.urls_compliance")),
    path("profiles/", include("gongzhi.core.urls_profiles")),
    path("posts/", include("gongzhi.core.urls_posts")),
    path("audit/", include("gongzhi.core.urls_audit")),
    path("party/", include("gongzhi.party.urls")),
    path("tickets/", include("gongzhi.tickets.urls")),
    path("volunteering/", include("gongzhi.volunteering.urls")),
    path("merchants/", include("gongzhi.merchants.urls")),
    path("partners/", include("gongzhi.partners.urls")),
    path("deliberation/", include("gongzhi.deliberation.urls")),
    path("owners/", include("gongzhi.owners.urls")),
    path("estates/", include("gongzhi.estates.urls")),
    path("mediation/", include("gongzhi.mediation.urls")),
    path("workforce/", include("gongzhi.workforce.urls")),
    path("care/", include("gongzhi.care.urls")),
    path("partylife/", include("gongzhi.partylife.urls")),
    path("microprojects/", include("gongzhi.microprojects.urls")),
    path("organisations/", include("gongzhi.organisations.urls")),
    path("funds/", include("gongzhi.funds.urls")),
    path("keytasks/", include("gongzhi.keytasks.urls")),
    path("evaluation/reports/", include("gongzhi.evaluation.urls_reports")),
    path("evaluation/", include("gongzhi.evaluation.urls")),
    path("selections/", include("gongzhi.selections.urls")),
    path("cockpit/", include("gongzhi.evaluation.urls_cockpit")),
    path("privacy/", include("gongzhi.privacy.urls")),
    path(
        "api/v1/ticket-stats/",
        views_stats.TicketStatsAPIView.as_view(),
        name="api-ticket-stats",
    ),
    path("open311/v2/", include("gongzhi.tickets.open311_urls")),
    path("api/v1/", include("gongzhi.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path(
        "api/v1/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    # The Django admin logs in through /login/ (rate limit, lockout, demo refusal) and
    # changes passwords through /account/password/ (password rules and history).
    path("django-admin/login/", core_views.admin_login),
    path(
        "django-admin/password_change/",
        RedirectView.as_view(pattern_name="password_change", permanent=False),
    ),
    path("django-admin/", admin.site.urls),
]

# Chinese error pages in the site's frame (issue 19): gongzhi/core/views_errors.py
handler400 = "gongzhi.core.views_errors.bad_request"
handler403 = "gongzhi.core.views_errors.permission_denied"
handler404 = "gongzhi.core.views_errors.page_not_found"
handler500 = "gongzhi.core.views_errors.server_error"
