"""A new installation can take requests at once: the migrations seed a category tree."""

from gongzhi.tickets.models import Category, RoutingTarget


def test_default_category_tree_is_seeded(db):
    tops = Category.objects.filter(parent__isnull=True)
    assert {"municipal", "property", "neighbour", "safety", "welfare", "other"} <= set(
        tops.values_list("code", flat=True)
    )
    lift = Category.objects.get(code="lift")
    assert lift.parent.code == "property"
    assert lift.routing == RoutingTarget.PROPERTY_COMPANY
    assert Category.objects.get(code="hazard").default_priority == "urgent"
