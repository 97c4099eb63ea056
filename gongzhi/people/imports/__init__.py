"""Resident import from .xlsx / .csv: parse, check every row, then write all valid rows or none.

The pipeline, used by the pages (gongzhi/people/views_import.py), the background task
(gongzhi/people/tasks.py) and `manage.py import_residents`:

1. `read_file(data, file_name)` opens the spreadsheet: .xlsx through gongzhi.core.spreadsheets
   (the zip directory checked for bombs and odd members before openpyxl opens it, then
   read-only mode: rows streamed, formulas never evaluated, rows and columns capped), .csv
   (lines counted first) as UTF-8 (with or without BOM) else GB18030 (a superset of GBK, what
   Excel and WPS save as "CSV" on a Chinese system). Headers are matched by their Chinese
   names, tolerant of spaces and full-width characters. A file-level problem (empty, wrong
   headers, corrupted, too big, a zip bomb) raises `ImportFileError`.
2. `check(community, parsed)` checks every row against the rules and the community's buildings
   and households (one query each), and finds duplicates within the file. Each problem is a
   (msgid, params) pair, translated when shown.
3. `write(...)` writes the valid rows: people found by the blind index of their ID number are
   updated field by field (unchanged ones are counted, not touched), new ones are inserted in
   bulk with their household membership and tags. Moving house closes the old membership
   and opens a new one.

An uploaded file is kept only encrypted (AES-GCM, var/imports/<batch>.bin) between the preview
and the commit, and deleted after commit, discard or expiry. `ImportBatch` keeps counts,
progress and the errors with ID and phone masked. docs/import.md describes the file format.

The code is split along those steps (this package re-exports the names its callers use, so
`from gongzhi.people import imports` then `imports.start(...)` keeps working):

- `fileformat.py`: the columns and accepted values, the limits, the messages and errors;
- `parse.py`: reading the file (step 1);
- `checks.py`: the community's buildings and households, checking every row (step 2);
- `writing.py`: writing the valid rows (step 3);
- `storage.py`: the encrypted file of a batch;
- `batches.py`: the batch workflow (start, check, commit, discard; pages, task and command);
- `reads.py`: reads for the pages.

A test that replaces a name (monkeypatch) replaces it in the module that uses it, e.g.
`imports.batches.check` or `imports.parse.MAX_ROWS`.
"""

from gongzhi.people.imports.batches import (
    background_threshold,
    commit,
    discard,
    import_file,
    recover,
    run_check,
    run_commit,
    run_write,
    start,
)
from gongzhi.people.imports.checks import (
    CheckResult,
    CommunityIndex,
    Row,
    _Sealer,
    check,
    error_entries,
    masked_cells,
)
from gongzhi.people.imports.fileformat import (
    AUDIT_ACTION,
    COLUMNS,
    E_ID_NUMERIC,
    E_OTHER_COMMUNITY,
    E_TOO_BIG,
    ID_TYPES,
    RELATIONS,
    TAGS,
    ImportFileError,
    ImportRefused,
    render,
)
from gongzhi.people.imports.parse import ParsedFile, _mb, check_size, read_file
from gongzhi.people.imports.reads import (
    get_batch,
    import_communities,
    rendered_errors,
    visible_batches,
)
from gongzhi.people.imports.storage import (
    _file_key,
    delete_file,
    file_path,
    imports_dir,
    load_file,
    purge_expired,
    store_file,
)
from gongzhi.people.imports.writing import Counts, write

__all__ = [
    "AUDIT_ACTION",
    "COLUMNS",
    "E_ID_NUMERIC",
    "E_OTHER_COMMUNITY",
    "E_TOO_BIG",
    "ID_TYPES",
    "RELATIONS",
    "TAGS",
    "CheckResult",
    "CommunityIndex",
    "Counts",
    "ImportFileError",
    "ImportRefused",
    "ParsedFile",
    "Row",
    "_Sealer",
    "_file_key",
    "_mb",
    "background_threshold",
    "check",
    "check_size",
    "commit",
    "delete_file",
    "discard",
    "error_entries",
    "file_path",
    "get_batch",
    "import_communities",
    "import_file",
    "imports_dir",
    "load_file",
    "masked_cells",
    "purge_expired",
    "read_file",
    "recover",
    "render",
    "rendered_errors",
    "run_check",
    "run_commit",
    "run_write",
    "start",
    "store_file",
    "visible_batches",
    "write",
]
