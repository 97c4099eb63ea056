from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "gongzhi.people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        from gongzhi.people.compliance import people_per_grid
        from gongzhi.places import compliance

        compliance.set_people_provider(people_per_grid)

        from gongzhi.people.selectors import household_members
        from gongzhi.places import selectors as places

        places.set_household_members(household_members)

        from gongzhi.people import (
            privacy_sections,  # noqa: F401  (docs/privacy.md)
            receivers,  # noqa: F401  (links a login to its record)
        )
