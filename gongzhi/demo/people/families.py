"""Demo people: families (names, ages, details, party membership)."""

from __future__ import annotations

import datetime as dt
import random

from gongzhi.demo import places as places_demo
from gongzhi.demo.people.data import (
    _SURNAME_CUM,
    _SURNAMES,
    GIVEN,
    HOME_AREA,
    HUNAN_AREAS,
    IN_SERVICE_SHARE,
    PARTY_SHARE,
    PHONE_PREFIXES,
    RESERVED_NAMES,
    SKILLS,
    WORKPLACES,
    _total,
)
from gongzhi.demo.people.persons import _age, _Person, _years_before
from gongzhi.people.models import Relation, ResidenceStatus, Tag


class _Families:
    # -- families -----------------------------------------------------------------------------
    def _name(self, rnd: random.Random, gender: str, birth: dt.date, surname: str | None = None):
        surname = surname or self._surname(rnd)
        era = "old" if birth.year < 1965 else "mid" if birth.year < 1990 else "young"
        while True:
            name = surname + rnd.choice(GIVEN[era, gender])
            if name not in RESERVED_NAMES:
                return name, surname

    @staticmethod
    def _surname(rnd: random.Random) -> str:
        x = rnd.random() * _total
        lo, hi = 0, len(_SURNAME_CUM) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if _SURNAME_CUM[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return _SURNAMES[lo]

    def _birth(self, rnd: random.Random, age: int) -> dt.date:
        return _years_before(self.today, age, rnd.randrange(365))

    def _family(self, rnd: random.Random) -> list[_Person]:
        size = rnd.choices((1, 2, 3, 4, 5), self.sizes)[0]
        r = rnd.random()
        if size == 1:
            members = []
            head_age = rnd.randint(60, 92) if r < 0.5 else rnd.randint(22, 59)
        elif size == 2:
            members = (
                ["spouse"] if r < 0.65 else ["child"] if r < 0.85 else ["parent"]
            )  # fmt: skip
        elif size == 3:
            members = (
                ["spouse", "child"] if r < 0.75
                else ["spouse", "parent"] if r < 0.85 else ["child", "child"]
            )  # fmt: skip
        elif size == 4:
            members = (
                ["spouse", "child", "child"] if r < 0.55
                else ["spouse", "child", "parent"] if r < 0.85
                else ["spouse", "parent", "parent"]
            )  # fmt: skip
        else:
            members = (
                ["spouse", "child", "child_in_law", "grandchild"] if r < 0.4
                else ["spouse", "child", "parent", "parent"] if r < 0.75
                else ["spouse", "child", "child", "parent"]
            )  # fmt: skip
        if size > 1:
            if "grandchild" in members:
                head_age = rnd.randint(50, 75)
            elif "parent" in members:
                head_age = rnd.randint(28, 62)
            elif "child" in members:
                head_age = rnd.randint(28, 70)
            else:
                head_age = rnd.randint(24, 85)
        # Residence status of the household; a floating household moved in lately.
        s = rnd.random()
        status = (
            ResidenceStatus.REGISTERED
            if s < 0.68
            else ResidenceStatus.RESIDENT
            if s < 0.88
            else ResidenceStatus.FLOATING
        )
        head_gender = (
            ("F" if rnd.random() < 0.6 else "M")
            if size == 1
            else ("M" if rnd.random() < 0.6 else "F")
        )
        head_birth = self._birth(rnd, head_age)
        head_name, head_surname = self._name(rnd, head_gender, head_birth)
        earliest = max(_years_before(head_birth, -18, 0), dt.date(1990, 1, 1))
        if status == ResidenceStatus.FLOATING:
            earliest = max(earliest, self.today - dt.timedelta(days=3 * 365))
        span = max((self.today - dt.timedelta(days=30) - earliest).days, 1)
        moved_in = earliest + dt.timedelta(days=rnd.randrange(span))
        head_area = self._area(rnd, status)
        head = _Person(
            head_name, head_gender, head_birth, Relation.HEAD, status, head_area, moved_in,
            surname=head_surname,
        )  # fmt: skip
        people = [head]
        child_surname = head_surname
        children: list[_Person] = []
        in_law: _Person | None = None
        n_parents = members.count("parent")

        def add(gender, age, relation, surname=None) -> _Person:
            birth = self._birth(rnd, age)
            name, surname = self._name(rnd, gender, birth, surname)
            person = _Person(name, gender, birth, relation, status, "", moved_in, surname=surname)
            people.append(person)
            return person

        for kind in members:
            if kind == "spouse":
                gender = "F" if head_gender == "M" else "M"
                spouse = add(gender, max(20, head_age + rnd.randint(-5, 5)), Relation.SPOUSE)
                if head_gender == "F":
                    child_surname = spouse.surname
            elif kind == "child":
                age = max(0, head_age - rnd.randint(22, 36))
                children.append(add(rnd.choice("MF"), age, Relation.CHILD, child_surname))
            elif kind == "parent":
                # Two parents: a father (the head's surname) and a mother; one: either.
                if n_parents == 1:
                    father = rnd.random() < 0.5
                else:
                    father = not any(p.relation == Relation.PARENT for p in people)
                age = min(99, head_age + rnd.randint(22, 34))
                if father:
                    add("M", age, Relation.PARENT, head_surname)
                else:
                    add("F", age, Relation.PARENT)
            elif kind == "child_in_law" and children:
                child = children[0]
                child_age = _age(child.birth, self.today)
                if child_age >= 22:
                    gender = "F" if child.gender == "M" else "M"
                    age = max(20, child_age + rnd.randint(-3, 3))
                    in_law = add(gender, age, Relation.CHILD_IN_LAW)
            elif kind == "grandchild" and children and _age(children[0].birth, self.today) >= 22:
                child = children[0]
                age = max(0, _age(child.birth, self.today) - rnd.randint(22, 34))
                surname = child.surname if child.gender == "M" or in_law is None else in_law.surname
                add(rnd.choice("MF"), age, Relation.GRANDCHILD, surname)
        low_income = rnd.random() < 0.03
        for person in people:
            self._details(rnd, person, head_area, size, low_income)
        return people

    def _area(self, rnd: random.Random, status: str) -> str:
        home_share = 0.8 if status == ResidenceStatus.REGISTERED else 0.15
        return HOME_AREA if rnd.random() < home_share else rnd.choice(HUNAN_AREAS)

    def _details(self, rnd, person: _Person, head_area: str, size: int, low_income: bool):
        """Everything that does not depend on the relation: document area, moving in,
        phone, consents, tags, skills and party membership."""
        age = _age(person.birth, self.today)
        if not person.area:
            person.area = (
                head_area
                if rnd.random() < 0.6
                else self._area(rnd, person.status)
            )  # fmt: skip
        if person.relation != Relation.HEAD and person.status != ResidenceStatus.FLOATING:
            r = rnd.random()
            if r < 0.05:
                person.status = ResidenceStatus.RESIDENT
        if person.birth > person.moved_in:
            person.moved_in = person.birth
        has_phone = (14 <= age <= 80 and rnd.random() < 0.9) or (age > 80 and rnd.random() < 0.4)
        if has_phone:
            phone = rnd.choice(PHONE_PREFIXES) + f"{rnd.randrange(10**8):08d}"
            person.phone = phone if phone != places_demo.RESIDENT_PHONE else None
        person.consents = (rnd.random() < 0.92, rnd.random() < 0.75, rnd.random() < 0.2)
        tags = person.tags
        if size == 1 and rnd.random() < (0.95 if age >= 60 else 0.05):
            tags.append(Tag.LIVING_ALONE)
        if rnd.random() < (0.045 if age >= 60 else 0.012):
            tags.append(Tag.DISABLED)
        if low_income:
            tags.append(Tag.LOW_INCOME)
        if person.gender == "M" and age >= 35 and rnd.random() < 0.035:
            tags.append(Tag.VETERAN)
        care = 0.01
        if (Tag.LIVING_ALONE in tags and age >= 80) or Tag.DISABLED in tags:
            care = 0.35
        if rnd.random() < care:
            tags.append(Tag.KEY_CARE)
        if age >= 40 and rnd.random() < 0.01:
            tags.append(Tag.SERIOUS_ILLNESS)
        if 18 <= age < 60 and rnd.random() < 0.03:
            tags.append(Tag.UNEMPLOYED)
        if age < 16 and person.relation == Relation.GRANDCHILD and rnd.random() < 0.2:
            tags.append(Tag.LEFT_BEHIND_CHILD)
        if 18 <= age <= 75 and rnd.random() < 0.08:
            person.skills = "、".join(rnd.sample(SKILLS, 1 if rnd.random() < 0.7 else 2))
        if age >= 18 and rnd.random() < PARTY_SHARE:
            self._join(rnd, person, age)

    def _join(self, rnd: random.Random, person: _Person, age: int) -> None:
        person.party = True
        joined_age = rnd.randint(18, min(age, 45))
        joined = _years_before(person.birth, -joined_age, -rnd.randrange(365))
        person.joined_on = min(joined, self.today - dt.timedelta(days=30))
        if 23 <= age < 60 and rnd.random() < IN_SERVICE_SHARE:
            person.workplace = rnd.choice(WORKPLACES)

    def _reserved_family(self, family) -> list[_Person]:
        people = []
        for name, gender, birth, relation, phone, party in family:
            person = _Person(
                name,
                gender,
                birth,
                relation,
                ResidenceStatus.REGISTERED,
                HOME_AREA,
                dt.date(2015, 5, 1),
                phone=phone,
                consents=(True, True, False),
            )
            if person.birth > person.moved_in:
                person.moved_in = person.birth
            if party:
                person.party = True
                person.joined_on = _years_before(birth, -24, -120)
                person.leads = "committee" if name == "张丽华" else "group"
                if name == "赵国庆":
                    person.workplace = WORKPLACES[0]  # the in-service login
            if name == "周晓燕":
                person.skills = "医护、文艺表演"  # the volunteer login's specialties
            people.append(person)
        return people
