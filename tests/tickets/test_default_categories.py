"""A new installation can take requests at once: a data migration seeds a category tree.

(The test runs the migration's function itself: transactional tests elsewhere in the
session flush the tables, data-migration rows included.)"""

import importlib

from django.apps import apps

from gongzhi.tickets.models import Category, RoutingTarget

seed = importlib.import_module("gongzhi.tickets.migrations.0002_default_categories")


def test_default_category_tree_is_seeded_and_reversible(db):
    seed.create(apps, None)
    seed.create(apps, None)  # idempotent
    tops = Category.objects.filter(parent__isnull=True)
    assert {"municipal", "property", "neighbour", "safety", "welfare", "other"} <= set(
        tops.values_list("code", flat=True)
    )
    lift = Category.objects.get(code="lift")
    assert lift.parent.code == "property"
    assert lift.routing == RoutingTarget.PROPERTY_COMPANY
    assert Category.objects.get(code="hazard").default_priority == "urgent"
    assert Category.objects.filter(code="lift").count() == 1
    seed.remove_unused(apps, None)
    assert not Category.objects.filter(code__in=["lift", "property", "other"]).exists()
