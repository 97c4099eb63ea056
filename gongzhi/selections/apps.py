from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionsConfig(AppConfig):
    name = "gongzhi.selections"
    label = "selections"
    verbose_name = _("Selections")

    def ready(self) -> None:
        from gongzhi.core import audit_titles

        audit_titles.register(
            {
                "selections.create": _("Selection created"),
                "selections.stage": _("Selection stage changed"),
                "selections.panel": _("Selection panel named"),
                "selections.nominate": _("Nominee put forward"),
                "selections.withdraw": _("Nomination withdrawn"),
                "selections.vote": _("Vote cast in a selection"),
                "selections.score": _("Panel score entered"),
                "selections.publish": _("Selection results published"),
            },
            {"selections": _("Selections")},
        )
        _register_dashboard()


def _register_dashboard() -> None:
    """The workbench's to-dos: selections waiting for this user's votes or nominations."""
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A
    from gongzhi.selections import selectors as s

    for todo in (
        d.Todo(
            "selections.vote",
            _("Selections open for your vote"),
            "hand-thumbs-up",
            "selections:mine",
            lambda u: s.open_for_vote(u).count(),
            (A.SELECTION_VOTE,),
            order=60,
        ),
        d.Todo(
            "selections.nominate",
            _("Selections taking nominations"),
            "award",
            "selections:list",
            lambda u: s.open_for_nomination(u).count(),
            (A.SELECTION_NOMINATE,),
            query="stage=nominating",
            order=61,
        ),
    ):
        d.register_todo(todo)
