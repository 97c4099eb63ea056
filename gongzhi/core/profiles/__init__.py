"""Policy profiles: the numbers a policy document fixes, one file per document.

A profile is a YAML (``.yaml``/``.yml``) or TOML (``.toml``) file named ``<name>.<ext>`` in one of
``settings.POLICY_PROFILE_DIRS`` (first folder that has the name wins). It names its source document
(``source``, a file name) and a ``title``; its numbers are nested sections flattened to dotted keys
(``grid.households``). ``SCHEMA`` lists every key with its type, range, unit and label.

A place uses the profile of its nearest ancestor-or-self whose ``policy_profile`` is set; when
that profile has expired (``valid_until``) and names a ``successor`` that exists, the successor
applies. ``Profile.status()`` says whether the document is in force; ``due:`` dates targets, and
``target_state`` tells met / short / overdue / not set. A number a document sets has no platform
default: ``Profile.get`` gives None when the profile leaves it out.

Loading never raises: a broken or missing file gives a ``Profile`` whose ``errors`` say what is
wrong (file, key, problem), and whose values are not used. Parsed files are cached per process and
re-read when the file's modification time or size changes. docs/policy-profiles.md is the
operator's guide.

The package, lowest first (each module imports only those above it in this list):

- ``keys``: the schema (``Key``, ``SCHEMA``) and the names of a profile's top-level fields;
- ``issues``: what can be wrong with a file (``Issue``);
- ``profile``: a parsed ``Profile``, its ``status`` and ``target_state``;
- ``sections``: structured top-level blocks an app registers (``register_section``);
- ``parse``: reading one YAML/TOML file with its citations (``parse_file``);
- ``loading``: finding profiles by name in the folders, cached (``get``, ``all_profiles``, …);
- ``inheritance``: which profile applies to a place (``effective_profile``, ``current``, …);
- ``reads``: reads for a user (``require_view``, ``usage_counts``, ``places_using``);
- ``seeds``: the seed documents' numbers and the keys that carry them.

Callers use this package's names (``from gongzhi.core import profiles``; ``profiles.get``…).
"""

from __future__ import annotations

from gongzhi.core.profiles.inheritance import (
    current,
    describe_problem,
    effective_profile,
    follow_successors,
    profile_setter,
    profile_setters,
)
from gongzhi.core.profiles.issues import Issue, _issue, _show
from gongzhi.core.profiles.keys import (
    DATE_FIELDS,
    DUE_FIELD,
    FROM_FIELD,
    META_FIELDS,
    SCHEMA,
    Key,
)
from gongzhi.core.profiles.loading import (
    all_files,
    all_profiles,
    available,
    check_all,
    clear_cache,
    get,
    load_file,
    profile_dirs,
)
from gongzhi.core.profiles.parse import EXTENSIONS, MAX_FILE_BYTES, NAME_RE, parse_file
from gongzhi.core.profiles.profile import Profile, ProfileStatus, Row, TargetState, target_state
from gongzhi.core.profiles.reads import places_using, require_view, usage_counts
from gongzhi.core.profiles.sections import (
    register_section,
    registered_sections,
    unregister_section,
)
from gongzhi.core.profiles.seeds import (
    SEED_NUMBERS_FILE,
    SeedNumber,
    carried_value,
    number_problem,
    numbers_without_key,
    seed_numbers,
)

__all__ = [
    "DATE_FIELDS",
    "DUE_FIELD",
    "EXTENSIONS",
    "FROM_FIELD",
    "MAX_FILE_BYTES",
    "META_FIELDS",
    "NAME_RE",
    "SCHEMA",
    "SEED_NUMBERS_FILE",
    "Issue",
    "Key",
    "Profile",
    "ProfileStatus",
    "Row",
    "SeedNumber",
    "TargetState",
    "_issue",
    "_show",
    "all_files",
    "all_profiles",
    "available",
    "carried_value",
    "check_all",
    "clear_cache",
    "current",
    "describe_problem",
    "effective_profile",
    "follow_successors",
    "get",
    "load_file",
    "number_problem",
    "numbers_without_key",
    "parse_file",
    "places_using",
    "profile_dirs",
    "profile_setter",
    "profile_setters",
    "register_section",
    "registered_sections",
    "require_view",
    "seed_numbers",
    "target_state",
    "unregister_section",
    "usage_counts",
]
