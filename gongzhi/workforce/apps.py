from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "gongzhi.workforce"
    label = "workforce"
    verbose_name = _("Community workforce")

    def ready(self) -> None:
        from gongzhi.core import audit_titles
        from gongzhi.workforce import privacy_sections  # noqa: F401  (docs/privacy.md)

        audit_titles.register(
            {
                "workforce.worker_add": _("Worker's record added"),
                "workforce.worker_change": _("Worker's record changed"),
                "workforce.worker_leave": _("Worker's record closed"),
                "workforce.term_add": _("Committee term recorded"),
                "workforce.seat_add": _("Committee seat taken"),
                "workforce.seat_end": _("Committee seat vacated"),
                "workforce.certificate_add": _("Certificate recorded"),
                "workforce.reward_propose": _("Certificate reward proposed"),
                "workforce.reward_approve": _("Certificate reward approved"),
                "workforce.reward_refuse": _("Certificate reward refused"),
                "workforce.reward_pay": _("Certificate reward marked paid"),
                "workforce.assessment_add": _("Yearly assessment recorded"),
                "workforce.course_add": _("Training course recorded"),
                "workforce.attendance_add": _("Training attendance recorded"),
                "workforce.roster_export": _("Workers' roster exported"),
                "workforce.roster_import": _("Workers' roster imported"),
                "workforce.training_export": _("Training attendance exported"),
                "workforce.appointment_add": _("First secretary or seconded cadre appointed"),
                "workforce.appointment_end": _("Appointment ended early"),
                "workforce.duty_log_add": _("Duty log entry written"),
                "workforce.report_submit": _("End-of-term report submitted"),
                "workforce.report_accept": _("End-of-term report accepted"),
            }
        )
        _register_dashboard()
        _register_indicators()


def _register_dashboard() -> None:
    """The workbench's approvals waiting: certificate rewards (core.dashboard, docs/ui.md)."""
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A
    from gongzhi.workforce import selectors as s

    d.register_todo(
        d.Todo(
            "workforce.rewards",
            _("Certificate rewards to approve"),
            "cash-coin",
            "workforce:rewards",
            lambda u: s.reward_rows(u, {"status": "awaiting"}).count(),
            (A.WORKFORCE_REWARD,),
            query="status=awaiting",
            order=70,
        )
    )


def _register_indicators() -> None:
    """The app's indicators for the governance index (core.indicators, issue 21)."""
    from gongzhi.workforce.indicators import register_all

    register_all()
