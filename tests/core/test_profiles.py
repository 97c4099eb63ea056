"""Policy profiles: the shipped files, validation, caching, inheritance, pages, command."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from gongzhi.core import profiles
from gongzhi.core.roles import Role
from gongzhi.places.models import Place
from tests.conftest import make_user

SHIPPED = Path(django_settings.BASE_DIR) / "profiles"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(profile) -> list[str]:
    with translation.override("en"):
        return [issue.message for issue in profile.errors]


GOOD = """\
source: 001_5ec5a89cad8c6552.txt
title: test profile
grid:
  households: 150  # 001 §3: about 150
staffing:
  households_per_worker: 300
"""


# --------------------------------------------------------------------------- shipped files


def test_four_shipped_profiles_one_per_seed_document_all_valid():
    shipped = [profiles.parse_file(p) for p in sorted(SHIPPED.glob("*.yaml"))]
    assert len(shipped) == 4
    assert all(p.ok for p in shipped), [messages(p) for p in shipped]
    sources = sorted(p.source for p in shipped)
    assert [s[:3] for s in sources] == ["000", "001", "002", "003"]
    assert all(re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", s) for s in sources)
    assert all(p.title for p in shipped)


def test_every_shipped_number_cites_its_paragraph_in_the_named_document():
    for path in SHIPPED.glob("*.yaml"):
        profile = profiles.parse_file(path)
        for key, value in profile.values.items():
            citation = profile.citations.get(key, "")
            # "001 §3: 按200户或600人左右…": the document's number, a paragraph, the quote.
            assert citation.startswith(profile.source[:3] + " §"), (path.name, key)
            assert str(int(value)) in citation.split(":", 1)[1], (path.name, key, citation)


def test_loudi_profile_carries_the_numbers_of_its_document():
    loudi = profiles.parse_file(SHIPPED / "loudi.yaml")
    assert {
        "grid.households": 200,
        "grid.people": 600,
        "staffing.households_per_worker": 200,
        "premises.service_centre_min_m2": 400,
        "premises.new_community_min_m2": 600,
        "volunteering.target_percent": 15,
        "microprojects.yearly_budget_yuan": 200000,
    }.items() <= loudi.values.items()
    # A document that sets no grid size or premises is not given invented numbers.
    huangshi = profiles.parse_file(SHIPPED / "huangshi-changleshan.yaml")
    assert huangshi.ok and huangshi.values == {
        "deliberation.joint_meeting_months": 3,
        "grid.worker_contests_per_year": 1,
        "tasks.key_tasks": 19,
    }
    assert huangshi.get("grid.households") is None
    assert not huangshi.is_set("grid.tolerance_percent")
    assert huangshi.get("grid.tolerance_percent") == 20  # platform default, marked as such


def test_shipped_profiles_are_available_for_places():
    assert {"loudi", "wuhan-east-lake", "lishui-lingshan", "huangshi-changleshan"} <= set(
        profiles.available()
    )


# --------------------------------------------------------------------------- validation


def test_valid_yaml_profile_is_flattened_with_citations(profile_dir):
    write(profile_dir, "test.yaml", GOOD)
    profile = profiles.get("test")
    assert profile.ok
    assert profile.values == {"grid.households": 150, "staffing.households_per_worker": 300}
    assert profile.citations == {"grid.households": "001 §3: about 150"}
    assert profile.source == "001_5ec5a89cad8c6552.txt"


def test_toml_profile_loads_like_yaml(profile_dir):
    write(
        profile_dir,
        "t.toml",
        'source = "002_49f6dfaa5633aa10.txt"\ntitle = "t"\n\n[premises]\n'
        "service_centre_min_m2 = 1500.5  # 002 §四 1: 1500\n",
    )
    profile = profiles.get("t")
    assert profile.ok, messages(profile)
    assert profile.values == {"premises.service_centre_min_m2": 1500.5}
    assert profile.citations["premises.service_centre_min_m2"] == "002 §四 1: 1500"


def test_unknown_key_is_named_with_the_file(profile_dir):
    write(profile_dir, "p.yaml", GOOD + "  peeple: 3\nbudget:\n  yearly: 5\n")
    profile = profiles.get("p")
    assert not profile.ok
    assert messages(profile) == [
        "p.yaml: unknown key “staffing.peeple”.",
        "p.yaml: unknown key “budget”.",
    ]
    assert profile.get("grid.households") is None  # a broken profile's numbers are not used


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"200"', "“grid.households” must be a whole number, not “200”."),
        ("true", "“grid.households” must be a whole number, not “True”."),
        ("200.5", "“grid.households” must be a whole number, not “200.5”."),
        ("[200]", "“grid.households” must be a whole number, not “[200]”."),
    ],
)
def test_wrong_type_is_refused(profile_dir, value, expected):
    write(profile_dir, "p.yaml", GOOD.replace("150  # 001 §3: about 150", value))
    assert messages(profiles.get("p")) == [f"p.yaml: {expected}"]


@pytest.mark.parametrize("value", ["0", "-5", "5001"])
def test_out_of_range_is_refused_with_the_allowed_range(profile_dir, value):
    write(profile_dir, "p.yaml", GOOD.replace("150", value))
    assert messages(profiles.get("p")) == [
        f"p.yaml: “grid.households” is {value}, outside the allowed range 1–5000 households."
    ]


def test_missing_source_and_title_are_reported(profile_dir):
    write(profile_dir, "p.yaml", "grid:\n  households: 200\n")
    assert messages(profiles.get("p")) == [
        "p.yaml: the required key “source” is missing.",
        "p.yaml: the required key “title” is missing.",
    ]
    write(profile_dir, "q.yaml", GOOD.replace("001_5ec5a89cad8c6552.txt", "../seeds/001.txt"))
    assert messages(profiles.get("q")) == [
        "q.yaml: “source” must be the file name of the source document, not a path."
    ]


def test_yaml_syntax_error_names_the_line(profile_dir):
    write(profile_dir, "p.yaml", "source: a.txt\ntitle: t\ngrid:\n  households: [200\n")
    (message,) = messages(profiles.get("p"))
    assert message.startswith("p.yaml, line 5: syntax error:")


def test_toml_syntax_error_names_the_line(profile_dir):
    write(profile_dir, "p.toml", 'source = "a.txt"\ntitle = "t"\n[grid\n')
    (message,) = messages(profiles.get("p"))
    assert message.startswith("p.toml, line 3: syntax error:")


def test_other_shapes_are_refused(profile_dir):
    write(profile_dir, "list.yaml", "- 1\n- 2\n")
    assert messages(profiles.get("list")) == [
        "list.yaml: the file must hold keys and values at its top level."
    ]
    write(profile_dir, "flat.yaml", "source: a.txt\ntitle: t\ngrid: 200\n")
    assert messages(profiles.get("flat")) == [
        "flat.yaml: “grid” must be a section of keys, not a single value."
    ]
    write(profile_dir, "dup.yaml", GOOD + "grid:\n  people: 600\n")
    assert "dup.yaml: the key “grid” is set more than once." in messages(profiles.get("dup"))
    write(profile_dir, "Bad Name.yaml", GOOD)
    assert any("is not a valid profile name" in m for m in messages(profiles.get("Bad Name")))


def test_same_name_in_yaml_and_toml_is_ambiguous(profile_dir):
    write(profile_dir, "twin.yaml", GOOD)
    write(profile_dir, "twin.toml", 'source = "a.txt"\ntitle = "t"\n')
    assert messages(profiles.get("twin")) == [
        "twin.yaml: profile “twin” is also defined by twin.toml in the same folder."
    ]
    assert "twin" not in profiles.available()


def test_first_folder_wins(profile_dir):
    write(profile_dir, "loudi.yaml", GOOD)
    assert profiles.get("loudi").values["grid.households"] == 150


def test_unknown_name_gives_a_not_found_profile(profile_dir):
    profile = profiles.get("nowhere")
    assert profile.path is None
    assert messages(profile) == ["There is no policy profile file named “nowhere”."]


def test_broken_profiles_are_not_available(profile_dir):
    write(profile_dir, "good.yaml", GOOD)
    write(profile_dir, "broken.yaml", "source: [\n")
    names = profiles.available()
    assert "good" in names and "broken" not in names


def test_errors_are_translatable(profile_dir):
    write(profile_dir, "p.yaml", "grid:\n  households: 200\n")
    issue = profiles.get("p").errors[0]
    with translation.override("en"):
        english = issue.message
    assert english == "p.yaml: the required key “source” is missing."
    assert issue.code == "missing" and issue.key == "source"  # stored as code + params


# --------------------------------------------------------------------------- caching


def test_loading_is_cached_until_the_file_changes(profile_dir):
    path = write(profile_dir, "p.yaml", GOOD)
    first = profiles.get("p")
    assert profiles.get("p") is first  # cached
    path.write_text(GOOD.replace("150", "180"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = profiles.get("p")
    assert second is not first
    assert second.values["grid.households"] == 180


def test_a_file_that_breaks_is_reported_and_a_fix_is_picked_up(profile_dir):
    path = write(profile_dir, "p.yaml", GOOD)
    assert profiles.get("p").ok
    path.write_text("source: [\n", encoding="utf-8")
    assert not profiles.get("p").ok
    path.write_text(GOOD, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert profiles.get("p").ok


# --------------------------------------------------------------------------- inheritance


def test_nearest_ancestor_with_a_profile_wins(world, django_assert_num_queries):
    Place.objects.filter(pk=world.district.pk).update(policy_profile="loudi")
    Place.objects.filter(pk=world.community_a2.pk).update(policy_profile="lishui-lingshan")
    grid_a1 = Place.objects.get(pk=world.grid_a1_1.pk)
    grid_a2 = Place.objects.get(pk=world.grid_a2_1.pk)
    with django_assert_num_queries(1):
        assert profiles.effective_profile(grid_a1).name == "loudi"
    with django_assert_num_queries(1):
        assert profiles.effective_profile(grid_a2).name == "lishui-lingshan"
    assert profiles.profile_setter(grid_a2).pk == world.community_a2.pk
    other = Place.objects.get(pk=world.community_c1.pk)  # another district, nothing set
    assert profiles.effective_profile(other) is None
    community = Place.objects.get(pk=world.community_a2.pk)
    with django_assert_num_queries(0):  # set on the place itself: no query
        assert profiles.effective_profile(community).name == "lishui-lingshan"


def test_setters_for_many_places_take_one_query(world, django_assert_num_queries):
    Place.objects.filter(pk=world.street_a.pk).update(policy_profile="loudi")
    places = list(Place.objects.filter(kind="grid"))
    with django_assert_num_queries(1):
        setters = profiles.profile_setters(places)
    named = {
        p.code + p.parent.code: (s.policy_profile if s else None)
        for p, s in (
            (p, setters[p.pk]) for p in Place.objects.filter(kind="grid").select_related("parent")
        )
    }
    assert named["G01420111002001"] == "loudi"
    assert named["G01420111003001"] is None


def test_a_missing_profile_named_by_a_place_comes_back_with_an_error(world):
    Place.objects.filter(pk=world.community_a1.pk).update(policy_profile="gone")
    profile = profiles.effective_profile(Place.objects.get(pk=world.grid_a1_1.pk))
    assert profile.name == "gone" and not profile.ok


def test_place_form_refuses_a_broken_profile_and_changes_nothing(world, login, profile_dir):
    write(profile_dir, "broken.yaml", "source: x.txt\ntitle: t\ngrid:\n  households: lots\n")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    client = login(secretary)
    url = reverse("places:edit", args=[world.community_a1.pk])
    data = {"name": world.community_a1.name, "official_code": "420111002001"}
    response = client.post(url, {**data, "policy_profile": "broken"})
    assert response.status_code == 400
    assert Place.objects.get(pk=world.community_a1.pk).policy_profile == ""
    response = client.post(url, {**data, "policy_profile": "loudi"})
    assert response.status_code == 302
    assert Place.objects.get(pk=world.community_a1.pk).policy_profile == "loudi"


# --------------------------------------------------------------------------- command


def test_check_profiles_passes_on_the_shipped_files(capsys, settings):
    settings.POLICY_PROFILE_DIRS = [SHIPPED]
    call_command("check_profiles")
    out = capsys.readouterr().out
    assert sum(line.startswith("ok ") for line in out.splitlines()) == 4
    assert "warning" not in out


def test_check_profiles_exits_1_with_the_messages(profile_dir, capsys):
    write(
        profile_dir, "bad.yaml", "source: x.txt\ntitle: t\nstaffing:\n  households_per_worker: 0\n"
    )
    write(profile_dir, "worse.yaml", "title: t\n")
    with translation.override("en"), pytest.raises(CommandError) as failure:
        call_command("check_profiles")
    assert failure.value.returncode == 1
    err = capsys.readouterr().err
    assert "bad.yaml: “staffing.households_per_worker” is 0" in err
    assert "worse.yaml: the required key “source” is missing." in err
    assert (profile_dir / "bad.yaml").exists()  # nothing is changed


# --------------------------------------------------------------------------- pages


def test_profile_list_shows_every_profile_with_usage(world, login, django_assert_max_num_queries):
    Place.objects.filter(pk=world.community_a1.pk).update(policy_profile="loudi")
    Place.objects.filter(pk=world.community_b1.pk).update(policy_profile="loudi")
    client = login(make_user(Role.STREET_OFFICER, world.street_a))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("profiles:list"))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("loudi", "wuhan-east-lake", "lishui-lingshan", "huangshi-changleshan"):
        assert f'data-profile="{name}"' in body
    rows = {r["profile"].name: r["usage"] for r in response.context["page"]}
    assert rows["loudi"] == 1  # community B1 lies outside street A


def test_profile_detail_shows_numbers_and_citations(world, login):
    Place.objects.filter(pk=world.community_a1.pk).update(policy_profile="loudi")
    client = login(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    response = client.get(reverse("profiles:detail", args=["loudi"]))
    assert response.status_code == 200
    body = response.content.decode()
    # The paragraph in words, not the document's raw number (issue 19): "001 §3" → 第3条.
    assert "第3条：按200户或600人左右的规模将社区划分为若干个网格单元" in body
    assert "001 §3" not in body
    assert "001_5ec5a89cad8c6552.txt" in body
    assert world.community_a1.name in body


def test_profile_detail_of_a_broken_file_shows_its_errors(world, login, profile_dir):
    write(profile_dir, "broken.yaml", "source: x.txt\ntitle: t\ngrid:\n  households: lots\n")
    client = login(make_user(Role.DISTRICT_OFFICER, world.district))
    client.cookies["django_language"] = "en"
    response = client.get(reverse("profiles:detail", args=["broken"]))
    assert response.status_code == 200
    assert 'data-testid="profile-errors"' in response.content.decode()
    assert "broken.yaml" in response.content.decode()


def test_unknown_profile_page_is_404(world, login):
    client = login(make_user(Role.DISTRICT_OFFICER, world.district))
    assert client.get(reverse("profiles:detail", args=["nowhere"])).status_code == 404


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.BUILDING_HEAD, Role.VOLUNTEER])
def test_profile_pages_refused_without_the_right(world, login, role):
    place = {
        Role.GRID_WORKER: world.grid_a1_1,
        Role.BUILDING_HEAD: world.grid_a1_1.buildings[0],
        Role.VOLUNTEER: world.community_a1,
    }[role]
    client = login(make_user(role, place))
    assert client.get(reverse("profiles:list")).status_code == 403
    assert client.get(reverse("profiles:detail", args=["loudi"])).status_code == 403


def test_profile_pages_need_login(client):
    response = client.get(reverse("profiles:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
