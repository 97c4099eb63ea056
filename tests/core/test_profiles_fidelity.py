"""Issue 12, profile half: every seed number in its own profile, dated, no borrowed defaults."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from gongzhi.core import clock, profiles
from gongzhi.core.management.commands import profile_docs
from gongzhi.core.roles import Role
from gongzhi.places.models import Place
from tests.conftest import make_user

SHIPPED = Path(django_settings.BASE_DIR) / "profiles"
TODAY = dt.datetime(2026, 12, 6, 9, 0)  # the demo's "today"


def shipped(name: str) -> profiles.Profile:
    return profiles.parse_file(SHIPPED / f"{name}.yaml")


def shipped_by_source() -> dict[str, profiles.Profile]:
    return {p.source: p for p in map(profiles.parse_file, sorted(SHIPPED.glob("*.yaml")))}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(profile) -> list[str]:
    with translation.override("en"):
        return [issue.message for issue in profile.errors]


# --------------------------------------------------------------------------- no borrowed defaults


def test_no_key_a_seed_document_sets_has_a_platform_default():
    set_by_documents = {n.key for ns in profiles.seed_numbers().values() for n in ns if n.key}
    set_by_documents = {k for k in set_by_documents if k in profiles.SCHEMA}
    for profile in shipped_by_source().values():
        set_by_documents |= set(profile.values)
    assert "microprojects.yearly_budget_yuan" in set_by_documents
    assert "deliberation.joint_meeting_months" in set_by_documents
    with_default = sorted(k for k in set_by_documents if profiles.SCHEMA[k].default is not None)
    assert with_default == []


def test_each_profile_uses_its_own_document_s_number():
    assert shipped("wuhan-east-lake").get("microprojects.yearly_budget_yuan") == 300000
    loudi = shipped("loudi")
    assert loudi.get("microprojects.yearly_budget_yuan") == 200000  # 001 §15 central city
    assert loudi.get("microprojects.county_yearly_budget_yuan") == 100000  # 001 §15 county towns
    assert loudi.citations["microprojects.yearly_budget_yuan"].startswith("001 §15")
    assert shipped("huangshi-changleshan").get("deliberation.joint_meeting_months") == 3


@pytest.mark.parametrize("name", ["lishui-lingshan", "huangshi-changleshan"])
def test_a_profile_that_does_not_set_the_budget_gets_none(name):
    assert shipped(name).get("microprojects.yearly_budget_yuan") is None
    assert shipped(name).get("microprojects.county_yearly_budget_yuan") is None


def test_a_profile_that_sets_nothing_gets_none(profile_dir):
    write(profile_dir, "bare.yaml", "source: x.txt\ntitle: t\n")
    bare = profiles.get("bare")
    assert bare.ok
    assert bare.get("microprojects.yearly_budget_yuan") is None
    assert bare.get("deliberation.joint_meeting_months") is None
    assert bare.get("staffing.full_time_workers") is None
    # Numbers no document fixes keep their platform default.
    assert bare.get("tickets.rating_window_days") == 7


def test_contract_keys_are_set_where_the_seed_sets_them():
    loudi, lishui, wuhan = shipped("loudi"), shipped("lishui-lingshan"), shipped("wuhan-east-lake")
    assert loudi.get("premises.new_community_min_m2") == 600
    assert loudi.get("premises.service_hall_min_m2") == 50
    assert (loudi.get("staffing.min_workers"), loudi.get("staffing.max_workers")) == (5, 7)
    assert lishui.get("premises.elderly_care_min_m2") == 3900
    assert lishui.get("premises.childcare_min_m2") == 1400
    assert lishui.get("staffing.full_time_workers") == 8
    assert lishui.get("owners_committee.member_party_percent") == 50
    assert lishui.get("property.party_org_min_members") == 3
    assert lishui.get("social_orgs.min_incubated") == 15
    assert lishui.get("funds.working_yuan_per_1000_households") == 100000
    assert wuhan.get("owners_committee.candidate_party_percent") == 60
    assert shipped("huangshi-changleshan").get("deliberation.joint_meeting_months") == 3


# --------------------------------------------------------------------------- seed numbers


def test_every_seed_number_maps_to_a_key_set_in_that_seed_s_profile():
    listed = profiles.seed_numbers()
    by_source = shipped_by_source()
    assert sorted(listed) == sorted(by_source)  # one list per shipped document
    for source, numbers in listed.items():
        assert numbers, source
        profile = by_source[source]
        for number in numbers:
            assert number.paragraph and number.quote, number
            assert profiles.number_problem(profile, number) == "", (source, number)
            if number.key is None:
                continue
            # the key is a real one: a schema key, a validity date or a dated target's key
            base = (
                number.key.split(".", 1)[1] if number.key.startswith(("due.", "applies_")) else ""
            )
            assert (
                number.key in profiles.SCHEMA
                or number.key in profiles.DATE_FIELDS
                or base.split(".", 1)[-1] in profiles.SCHEMA
                or base in profiles.SCHEMA
            ), number.key


def test_every_key_a_shipped_profile_sets_is_in_the_seed_numbers_list():
    listed = profiles.seed_numbers()
    for source, profile in shipped_by_source().items():
        keys = {n.key for n in listed[source]}
        assert set(profile.values) <= keys, (profile.name, set(profile.values) - keys)


def test_a_number_the_profile_does_not_carry_is_reported(profile_dir):
    write(
        profile_dir,
        "partial.yaml",
        "source: 002_49f6dfaa5633aa10.txt\ntitle: t\npremises:\n  service_centre_min_m2: 1200\n",
    )
    missing = dict(
        (n.key, problem) for n, problem in profiles.numbers_without_key(profiles.get("partial"))
    )
    assert missing["staffing.full_time_workers"] == (
        "staffing.full_time_workers is not set in this profile"
    )
    assert missing["premises.service_centre_min_m2"] == (
        "premises.service_centre_min_m2 is 1200 here, the document says 1500"
    )
    assert None not in missing  # narration with a reason is not reported


# --------------------------------------------------------------------------- validity


def test_wuhan_profile_expired_after_its_five_year_trial():
    wuhan = shipped("wuhan-east-lake")
    assert (wuhan.valid_from, wuhan.valid_until) == (dt.date(2021, 3, 20), dt.date(2026, 3, 19))
    assert wuhan.successor == ""  # the document names none; the platform invents none
    with clock.travel_to(TODAY):
        status = wuhan.status()
    assert (status.code, status.since) == ("expired", dt.date(2026, 3, 19))
    with translation.override("zh-hans"):
        assert str(status.label) == "已于2026-03-19失效"
    with clock.travel_to(dt.datetime(2026, 3, 19, 12, 0)):
        assert wuhan.status().code == "in_force"  # the last day is included
    assert wuhan.status(on=dt.date(2021, 3, 19)).code == "not_yet"


def test_status_of_undated_and_open_ended_profiles(profile_dir):
    write(profile_dir, "undated.yaml", "source: x.txt\ntitle: t\n")
    assert profiles.get("undated").status(on=dt.date(2026, 12, 6)).code == "undated"
    loudi = shipped("loudi")
    status = loudi.status(on=dt.date(2026, 12, 6))
    assert (status.code, status.since) == ("in_force", dt.date(2015, 8, 31))
    with translation.override("en"):
        assert str(status.label) == "In force since 2015-08-31"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "valid_from: 2021-02-30\n",  # YAML reads it as a date it cannot build: no crash
            "dated.yaml, line 5: syntax error: day is out of range for month",
        ),
        (
            "valid_until: '2021-02-30'\n",
            "“valid_until” must be a date written YYYY-MM-DD, not “2021-02-30”",
        ),
        ("valid_until: soon\n", "“valid_until” must be a date written YYYY-MM-DD, not “soon”"),
        (
            "valid_from: 2022-01-01\nvalid_until: 2021-01-01\n",
            "“valid_from” (2022-01-01) is after “valid_until” (2021-01-01)",
        ),
        ("due:\n  grid.people: 2025-01-01\n", "“due” gives a date for “grid.people”, which this"),
        ("due: 2025-01-01\n", "“due” must map keys of this profile to dates."),
        ("successor: Bad Name\n", "“successor” must name another profile"),
        ("successor: dated\n", "“successor” must name another profile"),
    ],
)
def test_bad_dates_and_successors_are_refused(profile_dir, text, expected):
    write(profile_dir, "dated.yaml", "source: x.txt\ntitle: t\ngrid:\n  households: 100\n" + text)
    found = messages(profiles.get("dated"))
    assert any(expected in message for message in found), found


def test_dates_in_toml_and_as_quoted_text_are_read(profile_dir):
    write(
        profile_dir,
        "t.toml",
        'source = "x.txt"\ntitle = "t"\nvalid_from = 2020-01-01\nvalid_until = "2020-12-31"\n'
        '[grid]\nhouseholds = 100\n[due]\n"grid.households" = 2020-06-30\n',
    )
    profile = profiles.get("t")
    assert profile.ok, messages(profile)
    assert (profile.valid_from, profile.valid_until) == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert profile.due("grid.households") == dt.date(2020, 6, 30)


# --------------------------------------------------------------------------- dated targets


def test_a_dated_target_not_met_after_its_deadline_is_overdue():
    wuhan = shipped("wuhan-east-lake")
    key = "premises.service_centre_min_m2"
    assert wuhan.due(key) == dt.date(2025, 12, 31)
    with clock.travel_to(TODAY):
        state = profiles.target_state(wuhan, key, met=False)
    assert (state.code, state.due) == ("overdue", dt.date(2025, 12, 31))
    with translation.override("zh-hans"):
        assert str(state.label) == "已逾期（应于2025-12-31前完成）"
    assert profiles.target_state(wuhan, key, met=False, on=dt.date(2025, 12, 31)).code == "short"
    assert profiles.target_state(wuhan, key, met=True, on=dt.date(2026, 12, 6)).code == "met"


def test_target_state_without_a_due_date_or_a_value():
    loudi = shipped("loudi")
    assert loudi.due("grid.households") is None
    state = profiles.target_state(loudi, "grid.households", met=False, on=dt.date(2030, 1, 1))
    assert state.code == "short"
    huangshi = shipped("huangshi-changleshan")
    state = profiles.target_state(huangshi, "premises.service_centre_min_m2", met=False)
    assert state.code == "not_set"
    with translation.override("zh-hans"):
        assert str(state.label) == "本政策文件未规定"
    assert profiles.target_state(None, "grid.households", met=True).code == "not_set"


def test_shipped_deadlines():
    assert shipped("loudi").due("volunteering.target_percent") == dt.date(2018, 12, 31)
    assert shipped("loudi").applies_from("microprojects.yearly_budget_yuan") == dt.date(2016, 1, 1)
    assert shipped("wuhan-east-lake").due("staffing.certified_percent") == dt.date(2024, 12, 31)
    assert shipped("huangshi-changleshan").due("tasks.key_tasks") == dt.date(2024, 8, 31)


# --------------------------------------------------------------------------- successors

OLD = "source: x.txt\ntitle: old\nvalid_from: 2020-01-01\nvalid_until: 2025-12-31\n{successor}grid:\n  households: 100  # x §1: 100\n"
NEW = "source: y.txt\ntitle: new\nvalid_from: 2026-01-01\n{successor}grid:\n  households: 250  # y §1: 250\n"


def test_an_expired_profile_hands_over_to_its_successor(world, profile_dir):
    write(profile_dir, "old.yaml", OLD.format(successor="successor: new\n"))
    write(profile_dir, "new.yaml", NEW.format(successor=""))
    Place.objects.filter(pk=world.district.pk).update(policy_profile="old")
    place = Place.objects.get(pk=world.community_a1.pk)
    with clock.travel_to(TODAY):
        profile = profiles.effective_profile(place)
    assert (profile.name, profile.succeeds) == ("new", ("old",))
    assert profile.get("grid.households") == 250
    with clock.travel_to(TODAY):
        assert profiles.current("old").name == "new"  # for code resolving many names at once
    # Before the old one expired, it applies itself.
    before = profiles.effective_profile(place, on=dt.date(2025, 6, 1))
    assert (before.name, before.succeeds) == ("old", ())


def test_without_a_usable_successor_the_expired_profile_still_applies(world, profile_dir):
    write(profile_dir, "old.yaml", OLD.format(successor="successor: missing\n"))
    Place.objects.filter(pk=world.district.pk).update(policy_profile="old")
    place = Place.objects.get(pk=world.community_a1.pk)
    profile = profiles.effective_profile(place, on=dt.date(2026, 12, 6))
    assert profile.name == "old" and profile.status(on=dt.date(2026, 12, 6)).code == "expired"


def test_a_successor_chain_is_followed_and_a_loop_stops(profile_dir):
    write(profile_dir, "old.yaml", OLD.format(successor="successor: new\n"))
    write(
        profile_dir,
        "new.yaml",
        NEW.replace(
            "valid_from: 2026-01-01\n", "valid_from: 2026-01-01\nvalid_until: 2026-06-30\n"
        ).format(successor="successor: old\n"),
    )
    day = dt.date(2026, 12, 6)
    profile = profiles.follow_successors(profiles.get("old"), day)
    assert profile.name == "new"  # both expired, the loop back to "old" is not followed
    write(profile_dir, "newer.yaml", NEW.format(successor="").replace("title: new", "title: newer"))
    write(
        profile_dir,
        "new.yaml",
        NEW.replace(
            "valid_from: 2026-01-01\n", "valid_from: 2026-01-01\nvalid_until: 2026-06-30\n"
        ).format(successor="successor: newer\n"),
    )
    profile = profiles.follow_successors(profiles.get("old"), day)
    assert (profile.name, profile.succeeds) == ("newer", ("old", "new"))


# --------------------------------------------------------------------------- docs


def test_docs_keys_table_is_generated_from_the_schema():
    doc = profile_docs.doc_path().read_text(encoding="utf-8")
    assert profile_docs.render_keys() in doc, "run: python manage.py profile_docs --write"
    assert profile_docs.render_document(doc) == doc, "run: python manage.py profile_docs --write"
    for key in profiles.SCHEMA:
        assert f"| `{key}` |" in doc


def test_docs_table_fails_when_the_schema_changes(monkeypatch):
    doc = profile_docs.doc_path().read_text(encoding="utf-8")
    extra = profiles.Key("grid.extra", "integer", 0, 1, "x", "extra", "extra")
    monkeypatch.setitem(profiles.SCHEMA, "grid.extra", extra)
    assert profile_docs.render_document(doc) != doc


def test_profile_docs_write_updates_only_the_marked_tables(tmp_path, monkeypatch):
    doc = tmp_path / "policy-profiles.md"
    doc.write_text(
        f"intro\n{profile_docs.KEYS_BEGIN}\nSTALE\n{profile_docs.KEYS_END}\nmiddle\n"
        f"{profile_docs.SHIPPED_BEGIN}\nSTALE\n{profile_docs.SHIPPED_END}\nend\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(profile_docs, "doc_path", lambda: doc)
    call_command("profile_docs", "--write")
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and "\nmiddle\n" in text and text.endswith("end\n")
    assert "STALE" not in text
    assert "| `wuhan-east-lake` |" in text and "2021-03-20 – 2026-03-19" in text


# --------------------------------------------------------------------------- check_profiles


def test_check_profiles_lists_keys_with_paragraphs_and_no_missing_seed_numbers(capsys, settings):
    settings.POLICY_PROFILE_DIRS = [SHIPPED]
    with clock.travel_to(TODAY), translation.override("en"):
        call_command("check_profiles")
    out = capsys.readouterr().out
    assert out.count("seed numbers without a key: 0 (") == 4
    assert "no key:" not in out
    assert (
        "key staffing.full_time_workers = 8 — 002 §四 2: 健全社区班子,配备专职社区工作者8名" in out
    )
    assert "key premises.service_centre_min_m2 = 1000 [due 2025-12-31] — 000 §六" in out
    assert "status: expired — Expired on 2026-03-19" in out


def test_check_profiles_lists_the_seed_numbers_a_profile_lacks(profile_dir, capsys):
    write(
        profile_dir,
        "partial.yaml",
        "source: 002_49f6dfaa5633aa10.txt\ntitle: t\nsuccessor: nowhere\n"
        "staffing:\n  full_time_workers: 8  # 002 §四 2: 配备专职社区工作者8名\n",
    )
    call_command("check_profiles")
    out = capsys.readouterr().out
    section = out.split("partial.yaml", 1)[1].split("\nok ", 1)[0]
    assert "seed numbers without a key: 9 (16 listed, 6 not policy parameters)" in section
    assert (
        "no key: 002 §四 2 “培育孵化不少于15个社区社会组织” = 15: social_orgs.min_incubated"
        in section
    )
    assert "successor “nowhere” is not a valid profile" in section


# --------------------------------------------------------------------------- pages


def test_profile_pages_show_the_document_status(world, login):
    client = login(make_user(Role.DISTRICT_OFFICER, world.district))
    with clock.travel_to(TODAY):
        body = client.get(reverse("profiles:list")).content.decode()
        detail = client.get(reverse("profiles:detail", args=["wuhan-east-lake"])).content.decode()
    assert 'data-profile="wuhan-east-lake" data-status="expired"' in body
    assert 'data-profile="loudi" data-status="in_force"' in body
    assert "已于2026-03-19失效" in body
    assert (
        'data-testid="profile-status" data-profile="wuhan-east-lake" data-status="expired"'
        in detail
    )
    assert "已于2026-03-19失效" in detail and "未指定后续文件" in detail
    assert 'data-due="2025-12-31"' in detail
    loudi = client.get(reverse("profiles:detail", args=["loudi"])).content.decode()
    assert 'data-applies-from="2016-01-01"' in loudi and "自2016-01-01起适用" in loudi
    assert "现行有效（2015-08-31起施行）" in loudi


def test_profile_detail_of_a_successor_says_what_it_replaces(world, login, profile_dir):
    write(profile_dir, "old.yaml", OLD.format(successor="successor: new\n"))
    write(profile_dir, "new.yaml", NEW.format(successor=""))
    Place.objects.filter(pk=world.community_a1.pk).update(policy_profile="old")
    client = login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    with clock.travel_to(TODAY):
        body = client.get(reverse("compliance:community", args=[world.community_a1.pk]))
    text = body.content.decode()
    assert body.status_code == 200
    assert 'data-testid="profile-status" data-profile="new" data-status="in_force"' in text
    assert "接替已失效的 old" in text
    with clock.travel_to(TODAY):
        old = client.get(reverse("profiles:detail", args=["old"])).content.decode()
    assert 'data-profile="old" data-status="expired"' in old
    note = old.split('data-testid="profile-successor-note"', 1)[1].split("</span>", 1)[0]
    assert "已由以下文件接替" in note and reverse("profiles:detail", args=["new"]) in note


@pytest.mark.parametrize("page", ["compliance:community", "compliance:list"])
def test_compliance_pages_show_the_document_status(world, login, page):
    Place.objects.filter(pk=world.district.pk).update(policy_profile="wuhan-east-lake")
    client = login(make_user(Role.STREET_OFFICER, world.street_a))
    args = [world.community_a1.pk] if page == "compliance:community" else []
    with clock.travel_to(TODAY):
        response = client.get(reverse(page, args=args))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-profile="wuhan-east-lake" data-status="expired"' in body
    assert "已于2026-03-19失效" in body
