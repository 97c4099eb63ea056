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
