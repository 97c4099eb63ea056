"""The owners' roll and the life of a vote through the services."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from PIL import Image

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.owners import services, tasks
from gongzhi.owners.models import (
    Ballot,
    CoOwnerRule,
    FrozenRecord,
    Matter,
    Owner,
    OwnersVote,
    RollEntry,
    VoteStatus,
)
from gongzhi.people.models import Resident
from tests.owners.conftest import START, scan_pdf

pytestmark = pytest.mark.django_db


def _vote_for_a_day(ew, **fields):
    """Create and open an ordinary one-day vote from START (the roll imported before), then
    move the clock an hour into it."""
    vote = services.create_vote(
        ew.estate,
        actor=ew.cw,
        title="t",
        matter=Matter.ORDINARY,
        opens_at=START,
        closes_at=START + dt.timedelta(days=1),
        **fields,
    )
    vote = services.open_vote(vote, actor=ew.cw)
    clock.set_now(START + dt.timedelta(hours=1))
    return vote


def test_import_roll_takes_areas_from_households(estate_world):
    ew = estate_world
    counts = services.import_roll(ew.estate, actor=ew.cw)
    assert counts == {"added": 2, "missing_area": 0}
    owners = Owner.objects.filter(estate=ew.estate).order_by("id")
    assert [o.name for o in owners][0] == "吴业主"
    assert owners[1].name.startswith("Owner of") or owners[1].name.endswith("业主")
    # idempotent
    assert services.import_roll(ew.estate, actor=ew.cw)["added"] == 0
    assert AuditRecord.objects.filter(action="owners.roll_import").count() == 2


def test_import_roll_counts_households_without_area(estate_world):
    ew = estate_world
    ew.homes[1].exclusive_area_m2 = None
    ew.homes[1].save()
    assert services.import_roll(ew.estate, actor=ew.cw) == {"added": 1, "missing_area": 1}


def test_roll_is_staff_only(estate_world):
    ew = estate_world
    with pytest.raises(PermissionDenied):
        services.import_roll(ew.estate, actor=ew.gw)
    with pytest.raises(Http404):
        services.import_roll(ew.estate, actor=ew.cw_other)
    with pytest.raises(Http404):
        services.import_roll(ew.estate, actor=ew.owner_user)
    assert not Owner.objects.exists()


def test_several_properties_count_once_with_summed_area(estate_world, open_vote):
    ew = estate_world
    clock.set_now(START - dt.timedelta(days=2))
    services.import_roll(ew.estate, actor=ew.cw)
    wu = Owner.objects.get(name="吴业主")
    services.add_property(wu, actor=ew.cw, label="车库 B12", area_m2="15.5")
    vote = _vote_for_a_day(ew)
    assert vote.total_owners == 2
    assert vote.total_area_m2 == Decimal("225.00")  # 89.5 + 15.5 + 120
    entry = RollEntry.objects.get(vote=vote, owner=wu)
    assert entry.area_m2 == Decimal("105.00")


def test_bad_area_refused_nothing_written(estate_world):
    ew = estate_world
    for bad in ("abc", "-5", "0", ""):
        with pytest.raises(ValidationError) as error:
            services.add_owner(ew.estate, actor=ew.cw, name="陈", label="3栋101", area_m2=bad)
        assert "square metres" in str(error.value) or "平方米" in str(error.value)
    assert not Owner.objects.exists()


def test_roll_frozen_at_opening(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    services.add_owner(ew.estate, actor=ew.cw, name="新业主", label="1栋9901", area_m2="99")
    vote.refresh_from_db()
    assert vote.total_owners == 2
    assert RollEntry.objects.filter(vote=vote).count() == 2
    entry = RollEntry.objects.filter(vote=vote).first()
    entry.area_m2 = Decimal("1")
    with pytest.raises(FrozenRecord):
        entry.save()


def test_owner_votes_online(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    ballot = services.cast_online(vote, "yes", actor=ew.owner_user)
    assert ballot.entry.name == "吴业主" and ballot.channel == "online"
    assert AuditRecord.objects.filter(action="owners.ballot_cast").count() == 1
    with pytest.raises(ValidationError, match="already been counted|已"):
        services.cast_online(vote, "no", actor=ew.owner_user)
    assert Ballot.objects.count() == 1


def test_non_owner_refused(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    # A resident of the community who is not on the frozen roll: 403 that says so.
    with pytest.raises(PermissionDenied) as error:
        services.cast_online(vote, "yes", actor=ew.tenant_user)
    assert "roll" in str(error.value) or "名册" in str(error.value)
    # A grid worker browses the estate's votes but casts no ballot: 403.
    with pytest.raises(PermissionDenied):
        services.cast_online(vote, "yes", actor=ew.gw)
    # A resident of another community does not see the vote at all.
    with pytest.raises(Http404):
        services.cast_online(vote, "yes", actor=ew.outsider)
    assert not Ballot.objects.exists()
    # A refused ballot leaves no trace in the audit trail.
    assert not AuditRecord.objects.filter(action="owners.ballot_cast").exists()


def test_refused_ballots_write_no_audit_record(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    entry = RollEntry.objects.get(vote=vote, name="吴业主")
    before = AuditRecord.objects.count()
    services.cast_online(vote, "yes", actor=ew.owner_user)
    assert AuditRecord.objects.count() == before + 1
    refusals = [
        lambda: services.cast_online(vote, "no", actor=ew.owner_user),  # already counted
        lambda: services.cast_online(vote, "maybe", actor=ew.owner_user),  # bad choice
        lambda: services.cast_online(vote, "yes", actor=ew.tenant_user),  # not on the roll
        lambda: services.enter_paper(
            vote, actor=ew.cw, ballot_id=entry.ballot_id, choice="no", scan=scan_pdf()
        ),  # already counted online
        lambda: services.enter_paper(
            vote, actor=ew.gw, ballot_id=entry.ballot_id, choice="no", scan=scan_pdf()
        ),  # not staff of the vote
    ]
    for refuse in refusals:
        with pytest.raises((ValidationError, PermissionDenied, Http404)):
            refuse()
    assert AuditRecord.objects.count() == before + 1
    assert Ballot.objects.count() == 1


def _two_entries(ew, rule=CoOwnerRule.ANY):
    """吴业主 owns flat 1 alone and co-owns flat 2 (with its registered owner, the
    representative): two owners on the roll, and she stands on both."""
    clock.set_now(START - dt.timedelta(days=2))
    services.import_roll(ew.estate, actor=ew.cw)
    flat2 = Owner.objects.exclude(name="吴业主").get()
    services.add_co_owner(flat2, actor=ew.cw, resident=ew.owner)
    vote = _vote_for_a_day(ew, co_owner_rule=rule)
    own = RollEntry.objects.get(vote=vote, name="吴业主")
    shared = RollEntry.objects.get(vote=vote, owner=flat2)
    return vote, own, shared


def test_owner_on_two_entries_casts_each(estate_world):
    ew = estate_world
    vote, own, shared = _two_entries(ew)
    assert vote.total_owners == 2  # two buyers, two heads (司法解释第九条)
    with pytest.raises(ValidationError) as error:
        services.cast_online(vote, "yes", actor=ew.owner_user)
    assert "entry" in error.value.message_dict  # which property? she must choose
    services.cast_online(vote, "yes", actor=ew.owner_user, entry_id=own.pk)
    services.cast_online(vote, "no", actor=ew.owner_user, entry_id=str(shared.pk))
    assert dict(Ballot.objects.values_list("entry_id", "choice")) == {
        own.pk: "yes",
        shared.pk: "no",
    }
    with pytest.raises(ValidationError, match="already been counted|已计入"):
        services.cast_online(vote, "abstain", actor=ew.owner_user, entry_id=own.pk)
    clock.set_now(START + dt.timedelta(days=1))
    vote = services.close_vote(vote, actor=ew.cw)
    assert vote.result["part_owners"] == 2 and vote.result["yes_owners"] == 1
    assert vote.result["part_area"] == "209.50" and vote.result["yes_area"] == "89.50"


def test_entry_not_held_by_the_caster_refused(estate_world):
    ew = estate_world
    clock.set_now(START - dt.timedelta(days=2))
    services.import_roll(ew.estate, actor=ew.cw)
    vote = _vote_for_a_day(ew)
    other = RollEntry.objects.exclude(name="吴业主").get(vote=vote)
    with pytest.raises(ValidationError) as error:
        services.cast_online(vote, "yes", actor=ew.owner_user, entry_id=other.pk)
    assert "entry" in error.value.message_dict
    assert not Ballot.objects.exists()


def test_two_entries_under_the_representative_rule(estate_world):
    ew = estate_world
    vote, own, shared = _two_entries(ew, rule=CoOwnerRule.REPRESENTATIVE)
    # Flat 2 votes through its representative (not 吴业主): only her own flat is castable,
    # so a ballot without an entry goes to it.
    with pytest.raises(ValidationError, match="representative|代表"):
        services.cast_online(vote, "yes", actor=ew.owner_user, entry_id=shared.pk)
    ballot = services.cast_online(vote, "yes", actor=ew.owner_user)
    assert ballot.entry == own and Ballot.objects.count() == 1


@pytest.mark.parametrize("when", [START - dt.timedelta(minutes=1), START + dt.timedelta(days=7)])
def test_votes_outside_the_window_refused(estate_world, open_vote, when):
    ew = estate_world
    vote = open_vote()
    clock.set_now(when)
    with pytest.raises(ValidationError) as error:
        services.cast_online(vote, "yes", actor=ew.owner_user)
    assert "not open" in str(error.value) or "不在" in str(error.value)
    entry = RollEntry.objects.filter(vote=vote).last()
    with pytest.raises(ValidationError):
        services.enter_paper(
            vote,
            actor=ew.cw,
            ballot_id=entry.ballot_id,
            choice="yes",
            scan=scan_pdf(),
            scan_ref="S1",
        )
    assert not Ballot.objects.exists()


def test_draft_vote_refuses_ballots(estate_world):
    ew = estate_world
    clock.set_now(START)
    services.import_roll(ew.estate, actor=ew.cw)
    vote = services.create_vote(
        ew.estate,
        actor=ew.cw,
        title="t",
        matter=Matter.MAJOR,
        opens_at=START,
        closes_at=START + dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError):
        services.cast_online(vote, "yes", actor=ew.owner_user)


def test_paper_ballot_with_its_scan(estate_world, open_vote, _media):
    ew = estate_world
    vote = open_vote()
    entry = RollEntry.objects.get(vote=vote, name="吴业主")
    data = scan_pdf("wu")
    ballot = services.enter_paper(
        vote,
        actor=ew.cw,
        ballot_id=entry.ballot_id.lower(),
        choice="no",
        scan=data,
        scan_ref="SCAN-2026-001",
    )
    assert ballot.channel == "paper" and ballot.scan_ref == "SCAN-2026-001"
    assert ballot.scan_type == "application/pdf"
    assert ballot.scan_sha256 == hashlib.sha256(data).hexdigest()
    stored = _media / ballot.scan.name
    assert ballot.scan.name.startswith("owners/scans/") and stored.read_bytes() == data
    record = AuditRecord.objects.get(action="owners.ballot_enter")
    assert record.changes["scan_sha256"] == ballot.scan_sha256
    # the same owner cannot vote again online
    with pytest.raises(ValidationError):
        services.cast_online(vote, "yes", actor=ew.owner_user)
    assert Ballot.objects.count() == 1


def test_image_scans_accepted(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    entries = list(RollEntry.objects.filter(vote=vote))
    for entry, (fmt, content_type) in zip(
        entries, [("JPEG", "image/jpeg"), ("PNG", "image/png")], strict=True
    ):
        ballot = services.enter_paper(
            vote, actor=ew.cw, ballot_id=entry.ballot_id, choice="yes", scan=_image(fmt)
        )
        assert ballot.scan_type == content_type and ballot.scan.name.endswith(
            ".jpg" if fmt == "JPEG" else ".png"
        )


def _image(fmt, size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        None,
        b"",
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.4 truncated, no end marker",
        b"GIF89a" + b"\0" * 20,
        "gif",
        "oversized",
    ],
    ids=["none", "empty", "svg", "html", "broken-pdf", "fake-gif", "real-gif", "oversized"],
)
def test_bad_scans_refused_and_nothing_stored(estate_world, open_vote, _media, data):
    ew = estate_world
    vote = open_vote()
    entry = RollEntry.objects.filter(vote=vote).first()
    if data == "gif":
        data = _image("GIF")
    elif data == "oversized":
        data = scan_pdf()[:-6] + b"\0" * services.SCAN_MAX_BYTES + b"%%EOF\n"
    with pytest.raises(ValidationError) as error:
        services.enter_paper(vote, actor=ew.cw, ballot_id=entry.ballot_id, choice="yes", scan=data)
    assert "scan" in error.value.message_dict
    assert not Ballot.objects.exists()
    assert not AuditRecord.objects.filter(action="owners.ballot_enter").exists()
    assert not (_media / "owners").exists() or not any((_media / "owners").rglob("*.*"))


def test_refused_paper_ballot_leaves_no_file(estate_world, open_vote, _media):
    ew = estate_world
    vote = open_vote()
    entry = RollEntry.objects.get(vote=vote, name="吴业主")
    services.cast_online(vote, "yes", actor=ew.owner_user)
    with pytest.raises(ValidationError, match="already been counted|已计入"):
        services.enter_paper(
            vote, actor=ew.cw, ballot_id=entry.ballot_id, choice="no", scan=scan_pdf()
        )
    assert not (_media / "owners").exists() or not any((_media / "owners").rglob("*.*"))


def test_the_sealed_record_covers_each_scan(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    for n, entry in enumerate(RollEntry.objects.filter(vote=vote)):
        services.enter_paper(
            vote, actor=ew.cw, ballot_id=entry.ballot_id, choice="yes", scan=scan_pdf(str(n))
        )
    vote = _close(ew, vote)
    assert services.verify(vote)
    # A scan swapped for another file below the model no longer matches the record.
    Ballot.objects.filter(vote=vote, entry__name="吴业主").update(
        scan_sha256=hashlib.sha256(b"another file").hexdigest()
    )
    assert not services.verify(OwnersVote.objects.get(pk=vote.pk))


def test_records_sealed_before_scans_still_verify(estate_world, open_vote):
    """Ballots without a scan file (older records, seed data) hash as before: four items."""
    ew = estate_world
    vote = open_vote()
    entry = RollEntry.objects.get(vote=vote, name="吴业主")
    Ballot.objects.create(
        vote=vote, entry=entry, choice="yes", channel="paper", scan_ref="SCAN-OLD-1"
    )
    vote = _close(ew, vote)
    expected = {
        "vote": vote.pk,
        "title": vote.title,
        "result": vote.result,
        "ballots": [[entry.ballot_id, "yes", "paper", "SCAN-OLD-1"]],
    }
    text = json.dumps(expected, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert vote.result_hash == hashlib.sha256(text.encode()).hexdigest()


def test_forged_ballot_id_refused(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    with pytest.raises(ValidationError) as error:
        services.enter_paper(
            vote,
            actor=ew.cw,
            ballot_id="DEADBEEF00000000",
            choice="yes",
            scan=scan_pdf(),
            scan_ref="S",
        )
    assert "ballot_id" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.cast_online(vote, "yes", actor=ew.owner_user, ballot_id="FORGED")
    assert not Ballot.objects.exists()


def test_ballot_id_of_another_vote_refused(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    other = services.create_vote(
        ew.estate,
        actor=ew.cw,
        title="另一表决",
        matter=Matter.ORDINARY,
        opens_at=START,
        closes_at=START + dt.timedelta(days=7),
    )
    other = services.open_vote(other, actor=ew.cw)
    foreign = RollEntry.objects.filter(vote=other).first().ballot_id
    with pytest.raises(ValidationError):
        services.enter_paper(
            vote, actor=ew.cw, ballot_id=foreign, choice="yes", scan=scan_pdf(), scan_ref="S"
        )
    assert not Ballot.objects.exists()


def test_paper_needs_a_valid_choice_and_manager(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    entry = RollEntry.objects.filter(vote=vote).first()
    with pytest.raises(ValidationError):
        services.enter_paper(
            vote,
            actor=ew.cw,
            ballot_id=entry.ballot_id,
            choice="yes",
            scan=scan_pdf(),
            scan_ref="x" * 65,
        )
    with pytest.raises(ValidationError):
        services.enter_paper(
            vote,
            actor=ew.cw,
            ballot_id=entry.ballot_id,
            choice="maybe",
            scan=scan_pdf(),
            scan_ref="S",
        )
    with pytest.raises(PermissionDenied):
        services.enter_paper(
            vote,
            actor=ew.gw,
            ballot_id=entry.ballot_id,
            choice="yes",
            scan=scan_pdf(),
            scan_ref="S",
        )
    with pytest.raises(Http404):
        services.enter_paper(
            vote, actor=ew.cw_other, ballot_id=entry.ballot_id, choice="yes", scan=scan_pdf()
        )
    assert not Ballot.objects.exists()


def test_co_owner_representative_rule(estate_world, open_vote):
    ew = estate_world
    clock.set_now(START - dt.timedelta(days=2))
    services.import_roll(ew.estate, actor=ew.cw)
    tenant = Resident.objects.get(user=ew.tenant_user)
    wu_owner = Owner.objects.get(name="吴业主")
    services.add_co_owner(wu_owner, actor=ew.cw, resident=tenant, representative=True)
    vote = _vote_for_a_day(ew, co_owner_rule=CoOwnerRule.REPRESENTATIVE)
    with pytest.raises(ValidationError, match="representative|代表"):
        services.cast_online(vote, "yes", actor=ew.owner_user)
    services.cast_online(vote, "yes", actor=ew.tenant_user)
    assert Ballot.objects.get().entry.owner == wu_owner


def test_co_owner_any_rule_first_counts(estate_world):
    ew = estate_world
    clock.set_now(START - dt.timedelta(days=2))
    services.import_roll(ew.estate, actor=ew.cw)
    tenant = Resident.objects.get(user=ew.tenant_user)
    services.add_co_owner(Owner.objects.get(name="吴业主"), actor=ew.cw, resident=tenant)
    vote = _vote_for_a_day(ew)
    services.cast_online(vote, "no", actor=ew.tenant_user)
    with pytest.raises(ValidationError):
        services.cast_online(vote, "yes", actor=ew.owner_user)
    assert Ballot.objects.get().choice == "no"


def _close(ew, vote):
    clock.set_now(START + dt.timedelta(days=7))
    return services.close_vote(vote, actor=ew.cw)


def test_close_counts_and_seals(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    services.cast_online(vote, "yes", actor=ew.owner_user)
    other = RollEntry.objects.exclude(name="吴业主").get(vote=vote)
    services.enter_paper(
        vote, actor=ew.cw, ballot_id=other.ballot_id, choice="yes", scan=scan_pdf(), scan_ref="S-2"
    )
    with pytest.raises(ValidationError, match="open until|开放至"):
        services.close_vote(vote, actor=ew.cw)
    vote = _close(ew, vote)
    assert vote.status == VoteStatus.CLOSED
    assert vote.result["passed"] is True
    assert vote.result["part_area"] == "209.50" and vote.result["part_owners"] == 2
    assert len(vote.result_hash) == 64 and services.verify(vote)
    assert AuditRecord.objects.filter(action="owners.vote_close").count() == 1


def test_the_sweep_seals_votes_whose_window_has_ended_and_no_others(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    services.cast_online(vote, "yes", actor=ew.owner_user)
    # Still inside the window: nothing to seal.
    assert services.close_due_votes() == 0
    assert OwnersVote.objects.get(pk=vote.pk).status == VoteStatus.OPEN

    clock.set_now(START + dt.timedelta(days=7))
    assert tasks.close_due_votes_periodically.call_local() == 1
    vote = OwnersVote.objects.get(pk=vote.pk)
    assert vote.status == VoteStatus.CLOSED and services.verify(vote)
    record = AuditRecord.objects.get(action="owners.vote_close")
    assert record.actor_id is None  # the system closed it
    # A second sweep changes nothing.
    assert services.close_due_votes() == 0
    assert AuditRecord.objects.filter(action="owners.vote_close").count() == 1


def test_no_change_after_closing(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    services.cast_online(vote, "yes", actor=ew.owner_user)
    vote = _close(ew, vote)
    assert vote.result["passed"] is False  # 89.5 of 209.5 m² is under two thirds
    ballot = Ballot.objects.get()
    ballot.choice = "no"
    with pytest.raises(FrozenRecord):
        ballot.save()
    with pytest.raises(FrozenRecord):
        ballot.delete()
    vote.title = "改了"
    with pytest.raises(FrozenRecord):
        vote.save()
    with pytest.raises(FrozenRecord):
        OwnersVote.objects.get(pk=vote.pk).delete()
    other = RollEntry.objects.exclude(name="吴业主").get(vote=vote)
    with pytest.raises(ValidationError):
        services.enter_paper(
            vote,
            actor=ew.cw,
            ballot_id=other.ballot_id,
            choice="yes",
            scan=scan_pdf(),
            scan_ref="S",
        )
    with pytest.raises(ValidationError, match="closed|已结束"):
        services.close_vote(vote, actor=ew.cw)
    with pytest.raises(FrozenRecord):
        Ballot(vote=vote, entry=other, choice="yes", channel="paper").save()
    assert Ballot.objects.count() == 1
    assert OwnersVote.objects.get(pk=vote.pk).title == "更换电梯"
    assert services.verify(OwnersVote.objects.get(pk=vote.pk))


def test_tampering_below_the_model_is_detected(estate_world, open_vote):
    ew = estate_world
    vote = open_vote()
    services.cast_online(vote, "yes", actor=ew.owner_user)
    vote = _close(ew, vote)
    Ballot.objects.filter(vote=vote).update(choice="no")  # bypasses save(): a raw write
    assert not services.verify(OwnersVote.objects.get(pk=vote.pk))


def test_open_needs_a_roll(estate_world):
    ew = estate_world
    clock.set_now(START)
    vote = services.create_vote(
        ew.estate,
        actor=ew.cw,
        title="t",
        matter=Matter.ORDINARY,
        opens_at=START,
        closes_at=START + dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="roll|名册"):
        services.open_vote(vote, actor=ew.cw)
    vote.refresh_from_db()
    assert vote.status == VoteStatus.DRAFT


def test_create_vote_validates(estate_world, world):
    ew = estate_world
    with pytest.raises(ValidationError) as error:
        services.create_vote(
            ew.estate, actor=ew.cw, title="", matter="huge", opens_at=START, closes_at=START
        )
    assert set(error.value.message_dict) == {"title", "matter", "closes_at"}
    with pytest.raises(ValidationError):
        services.create_vote(
            world.community_a1,
            actor=ew.cw,
            title="t",
            matter="major",
            opens_at=START,
            closes_at=START + dt.timedelta(days=1),
        )
    assert not OwnersVote.objects.exists()
