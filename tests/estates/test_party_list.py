"""Owners' committees and property companies without a party organisation appear on the party
registry's list of bodies without one (a hook party offers, estates installs)."""

from gongzhi.estates import services
from gongzhi.party import selectors as party_selectors


def test_party_registry_lists_estate_bodies_without_an_organisation(ew):
    services.create_committee(ew.estate, actor=ew.secretary)
    rows = party_selectors.unorganised_elsewhere(ew.secretary)
    assert len(rows) == 1
    label, link, count = rows[0]
    assert "业主委员会" in label and link == "/estates/compliance/?tab=orgs" and count == 1
    # A resident has no right to the estates' lists: nothing from estates.
    assert party_selectors.unorganised_elsewhere(ew.resident_user) == []
