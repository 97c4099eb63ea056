"""Glossary names (issue 11): 落实事项 is a follow-through (`Action` clashed with a permission's
`core.roles.Action`), a poll's vote is a `PollBallot` (`owners.Ballot` is an owner's ballot).
Renames only: tables, the note's column and the index names follow; every row is kept."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0002_meeting_series_kinds_convention"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="Action", new_name="FollowThrough"),
        migrations.RenameModel(old_name="ActionNote", new_name="FollowThroughNote"),
        migrations.RenameModel(old_name="Ballot", new_name="PollBallot"),
        migrations.RenameField(
            model_name="followthroughnote", old_name="action", new_name="follow_through"
        ),
        migrations.AlterField(
            model_name="followthrough",
            name="resolution",
            field=models.OneToOneField(
                on_delete=models.deletion.CASCADE,
                related_name="follow_through",
                to="deliberation.resolution",
            ),
        ),
        migrations.AlterField(
            model_name="followthrough",
            name="owner",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="deliberation_follow_throughs",
                to=settings.AUTH_USER_MODEL,
                verbose_name="responsible person",
            ),
        ),
        migrations.RenameIndex(
            model_name="followthrough",
            new_name="delib_follow_through_path",
            old_name="delib_action_path",
        ),
        migrations.RenameIndex(
            model_name="followthrough",
            new_name="delib_follow_through_owner",
            old_name="delib_action_owner",
        ),
        migrations.RemoveConstraint(
            model_name="followthrough",
            name="delib_action_overdue_not_stored",
        ),
        migrations.AddConstraint(
            model_name="followthrough",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "overdue"), _negated=True),
                name="delib_follow_through_overdue_not_stored",
            ),
        ),
    ]
