from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "gongzhi.evaluation"
    label = "evaluation"
    verbose_name = _("Governance index and assessment")

    def ready(self) -> None:
        from gongzhi.core import profiles
        from gongzhi.evaluation import system

        # A profile may carry a `governance_index:` block: the index system (checked at load).
        profiles.register_section(system.SECTION, system.validate_section)
        # The cockpit (数字驾驶舱): its entry in the workbench menu, for `cockpit.view`.
        from gongzhi.evaluation import cockpit

        cockpit.add_to_navigation()
        _register_rounds()


def _register_rounds() -> None:
    """Assessment rounds: audit titles and the workbench menu entry (group 监督考核)."""
    from gongzhi.core import audit_titles, navigation
    from gongzhi.core.roles import Action

    audit_titles.register(
        {
            "evaluation.round_open": _("Assessment round opened"),
            "evaluation.round_compute": _("Assessment round computed again"),
            "evaluation.contest": _("Assessment figure contested"),
            "evaluation.contest_decide": _("Assessment contest decided"),
            "evaluation.manual_item": _("Assessment bonus or veto item recorded"),
            "evaluation.publish": _("Assessment round published"),
        }
    )
    item = navigation.NavItem(
        _("Assessment rounds"), "evaluation:rounds", "award", Action.EVALUATION_VIEW
    )
    for index, group in enumerate(navigation.NAV):
        if group.icon == "clipboard-check":
            if all(i.url_name != item.url_name for i in group.items):
                navigation.NAV[index] = navigation.NavGroup(
                    group.label, group.icon, (*group.items, item)
                )
            return
