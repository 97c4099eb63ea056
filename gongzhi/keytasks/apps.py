from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeytasksConfig(AppConfig):
    name = "gongzhi.keytasks"
    label = "keytasks"
    verbose_name = _("Key tasks and supervision")

    def ready(self) -> None:
        from gongzhi.core import audit_titles

        audit_titles.register(
            {
                "keytasks.supervise": _("Supervision notice issued"),
                "keytasks.talk": _("Talk recorded"),
                "keytasks.escalate": _("Key task escalated"),
                "keytasks.remind": _("Key task deadline reminder"),
                "keytasks.inspection": _("Inspection recorded"),
            }
        )
        _register_dashboard()
        _register_indicators()
        # The cockpit's live figures (issue 21), read by evaluation through core.indicators.
        from gongzhi.keytasks import indicators_live

        indicators_live.register()


def _register_dashboard() -> None:
    """The workbench's key-task to-dos (core.dashboard, docs/ui.md)."""
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A
    from gongzhi.keytasks import list_selectors as lists
    from gongzhi.keytasks import selectors as s
    from gongzhi.keytasks.list_status import Status

    for todo in (
        d.Todo(
            "keytasks.todo",
            _("Task forms to fill in"),
            "ui-checks",
            "keytasks:todo",
            lambda u: s.todo(u, "open").count(),
            (A.KEYTASK_FILL,),
            order=20,
        ),
        d.Todo(
            "keytasks.overdue",
            _("Overdue key tasks"),
            "list-task",
            "keytasks:board",
            lambda u: lists.board(u, status=Status.OVERDUE).count(),
            (A.KEYTASK_LIST_VIEW,),
            query=f"status={Status.OVERDUE}",
            order=21,
            urgent=True,
            costly=True,
        ),
        d.Todo(
            "keytasks.supervision",
            _("Key tasks under supervision"),
            "eye",
            "keytasks:supervision",
            lambda u: lists.open_notices(u).count(),
            (A.KEYTASK_LIST_VIEW,),
            order=22,
            urgent=True,
        ),
    ):
        d.register_todo(todo)


def _register_indicators() -> None:
    """The app's indicators for the governance index (core.indicators, issue 21)."""
    from gongzhi.keytasks.indicators import register_all

    register_all()
