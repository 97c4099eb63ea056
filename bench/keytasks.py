"""Benchmark: the street's task board with 20,000 key tasks, and the roll-up of a sent-down
task (100 receivers × 500 rows) as xlsx, each next to its floor measured in the same run.

    .venv/bin/python bench/keytasks.py                  # SQLite var/bench/keytasks-small.sqlite3
    .venv/bin/python bench/keytasks.py --database-url postgres://postgres@127.0.0.1:5432/gongzhi_bench_kt
    .venv/bin/python bench/keytasks.py --tasks 2000 --rows 50   # a quicker look

The places are the demo street (`gongzhi.demo.places`, `--scale small`: one street of 5
communities, 10,000 households, the demo logins; built when missing). On it the script writes,
in bulk as tests/keytasks/test_rollup.py does (seed data, outside the services; kept for the
next run while the sizes are the same):

- 20 task lists "基准任务清单NN" of the street, `--tasks` key tasks in all: deadlines from two
  months ago to six months ahead, one in ten verified, one in ten done, a third with progress,
  a milestone behind its date on a quarter and a reached one on another quarter, a few
  supervision deadlines; a lead unit (an office or a community) and two cooperating units each;
- a sent-down task "基准汇总" with rows of residents and `--receivers` receivers (bench
  communities "基准社区NNN" under the street), each with `--rows` rows of residents (bench
  residents "基准居民N" in one household), every answer filled in, submitted.

Then, medians of --runs after one warm-up:

(a) **the board** — GET /keytasks/lists/ through Django's test client as the demo login
    `street` (李红梅): middleware, `list_selectors.lists` and `.board` (status as a SQL CASE,
    overdue first), the paginator's count, the first page of 30 with their units, the
    template. Below it `list_selectors.board` alone (count + the first 30 with units) and,
    as the floor of the request, GET /healthz through the same client. Raw SQL floor: the
    lists, the count, the same 30 rows (same status rules as a CASE, same order) and their
    units by hand, results checked equal. The number of queries of the page is printed for
    page 1 and a far page: it does not grow with the tasks.
(b) **the roll-up** — `rollup.xlsx(task, user=street)`: one xlsx of 50,000 lines (the receiver's
    answers repeated on each of its rows, a label of the resident the reader may see). Floor:
    the same cells read by two raw SQL queries (the receivers, then the rows) and written by
    openpyxl write-only, no neutralising; the lines are checked equal to `rollup.rows()`
    before timing. Wall and CPU time of this process are both printed (SQLite runs
    in-process: its reads are in the CPU).

See bench/README.md for results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import statistics
import time
import warnings
from pathlib import Path
from typing import Any

from benchlib import median_ms, setup  # noqa: E402  (also puts the project on sys.path)

LIST_PREFIX = "基准任务清单"
LISTS = 20
ROLLUP_TITLE = "基准汇总"
PLACE_PREFIX = "KTB"


class _Recorder:
    """The SQL a block runs (the test client's request_started signal empties
    connection.queries, so CaptureQueriesContext sees nothing of a page)."""

    def __init__(self, connection):
        self.connection, self.queries = connection, []

    def _record(self, execute, sql, params, many, context):
        self.queries.append((sql, params))
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = self.connection.execute_wrapper(self._record)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        help="run against this database instead of the SQLite file in var/bench/",
    )
    parser.add_argument("--scale", default="small", help="demo scale of the places")
    parser.add_argument("--tasks", type=int, default=20_000, help="key tasks on the board")
    parser.add_argument("--receivers", type=int, default=100, help="receivers of the roll-up")
    parser.add_argument("--rows", type=int, default=500, help="rows of each receiver")
    parser.add_argument("--runs", type=int, default=21, help="timed board runs (median)")
    parser.add_argument("--rollup-runs", type=int, default=3, help="timed roll-ups (median)")
    return parser.parse_args(argv)


def _timed(fn, runs: int) -> tuple[float, float, Any]:
    """Median wall and CPU seconds of `fn` over `runs` calls (no warm-up: each is seconds)."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def _build_board(street, officer, tasks: int, communities) -> None:
    from django.db import transaction

    from gongzhi.core import clock
    from gongzhi.keytasks.models import KeyTask, KeyTaskState, Milestone, TaskList, TaskUnit

    lists = TaskList.objects.filter(place=street, title__startswith=LIST_PREFIX)
    if KeyTask.objects.filter(task_list__in=lists).count() == tasks and lists.count() == LISTS:
        return
    print(f"writing {tasks:,} key tasks on {LISTS} lists (once) …", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        lists.delete()
        now = clock.now()
        today = clock.today()
        offices = ["党政办", "社事办", "政法办", "城管办"]
        made = TaskList.objects.bulk_create(
            TaskList(
                place=street,
                place_path=street.path,
                title=f"{LIST_PREFIX}{n:02d}",
                period="2026",
                offices=offices,
                created_by=officer,
            )
            for n in range(1, LISTS + 1)
        )
        per_list = -(-tasks // LISTS)
        for index, task_list in enumerate(made):
            first = index * per_list
            specs = []
            for i in range(first, min(first + per_list, tasks)):
                state = (
                    KeyTaskState.VERIFIED
                    if i % 10 == 0
                    else KeyTaskState.DONE
                    if i % 10 == 1
                    else KeyTaskState.OPEN
                )
                specs.append(
                    KeyTask(
                        task_list=task_list,
                        place_path=street.path,
                        number=i - first + 1,
                        title=f"第{i + 1}项重点任务：完善网格化服务管理机制，落实责任到人",
                        paragraph=f"附件{index + 1}第{i - first + 1}条",
                        due_on=today + dt.timedelta(days=(i * 37) % 240 - 60),
                        state=state,
                        last_report_at=now if i % 3 == 0 else None,
                        done_at=now if state != KeyTaskState.OPEN else None,
                        done_by=officer if state != KeyTaskState.OPEN else None,
                        verified_at=now if state == KeyTaskState.VERIFIED else None,
                        verified_by=officer if state == KeyTaskState.VERIFIED else None,
                        supervised_due_on=today + dt.timedelta(days=10) if i % 50 == 7 else None,
                    )
                )
            rows = KeyTask.objects.bulk_create(specs, batch_size=2000)
            units, milestones = [], []
            for task in rows:
                i = first + task.number - 1
                lead = communities[i % len(communities)] if i % 2 else None
                coop = communities[(i + 1) % len(communities)]
                units += [
                    TaskUnit(
                        task=task,
                        role="lead",
                        place=lead,
                        unit_path=lead.path if lead else "",
                        name=lead.name if lead else offices[i % len(offices)],
                        position=0,
                    ),
                    TaskUnit(
                        task=task,
                        role="coop",
                        place=coop,
                        unit_path=coop.path,
                        name=coop.name,
                        position=1,
                    ),
                    TaskUnit(
                        task=task,
                        role="coop",
                        name=offices[(i + 1) % len(offices)],
                        position=2,
                    ),
                ]
                if i % 4 == 0:
                    milestones.append(
                        Milestone(task=task, title="制定方案", due_on=today - dt.timedelta(days=5))
                    )
                elif i % 4 == 2:
                    milestones.append(
                        Milestone(
                            task=task,
                            title="制定方案",
                            due_on=today - dt.timedelta(days=20),
                            done_on=today - dt.timedelta(days=21),
                        )
                    )
            TaskUnit.objects.bulk_create(units, batch_size=5000)
            Milestone.objects.bulk_create(milestones, batch_size=5000)
    print(f"  written in {time.perf_counter() - started:.1f} s", flush=True)


def _build_rollup(street, officer, receivers: int, rows: int):
    from django.db import transaction

    from gongzhi.core import clock
    from gongzhi.keytasks.models import (
        FieldKind,
        FormField,
        Receiver,
        ReceiverRow,
        ReceiverState,
        SentDownTask,
    )
    from gongzhi.people.models import Resident
    from gongzhi.places.models import Household, Place

    task = SentDownTask.objects.filter(place=street, title=ROLLUP_TITLE).first()
    if (
        task is not None
        and Receiver.objects.filter(task=task).count() == receivers
        and ReceiverRow.objects.filter(receiver__task=task).count() == receivers * rows
    ):
        return task
    print(f"writing the roll-up task, {receivers} × {rows} rows (once) …", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        if task is not None:
            task.delete()
        have = {
            p.code: p for p in Place.objects.filter(parent=street, code__startswith=PLACE_PREFIX)
        }
        Place.objects.bulk_create(
            Place(
                parent=street,
                kind="community",
                name=f"基准社区{i:03d}",
                code=f"{PLACE_PREFIX}{i:03d}",
                path=f"{street.path}{PLACE_PREFIX}{i:03d}/",
                depth=street.depth + 1,
            )
            for i in range(receivers)
            if f"{PLACE_PREFIX}{i:03d}" not in have
        )
        places = list(
            Place.objects.filter(parent=street, code__startswith=PLACE_PREFIX).order_by("code")
        )[:receivers]
        home = Household.objects.filter(place_path__under=street.path).order_by("id").first()
        assert home is not None
        people = list(
            Resident.objects.filter(household=home, name__startswith="基准居民").order_by("id")
        )
        if len(people) < rows:
            Resident.objects.bulk_create(
                Resident(
                    name=f"基准居民{i}",
                    name_initials="jzjm",
                    gender="M" if i % 2 else "F",
                    household=home,
                    place_path=home.place_path,
                    id_masked=f"431302********{i:04d}",
                )
                for i in range(len(people), rows)
            )
            people = list(
                Resident.objects.filter(household=home, name__startswith="基准居民").order_by("id")
            )
        task = SentDownTask.objects.create(
            place=street,
            place_path=street.path,
            title=ROLLUP_TITLE,
            due_on=clock.today() + dt.timedelta(days=7),
            receiver_kind="community",
            rows_of="resident",
            row_tag="living_alone",
            sent_by=officer,
        )
        visitor = FormField.objects.create(
            task=task, position=1, label="走访人", kind=FieldKind.TEXT, required=True
        )
        health = FormField.objects.create(
            task=task,
            position=2,
            label="身体状况",
            kind=FieldKind.CHOICE,
            required=True,
            per_row=True,
            choices=["良好", "一般", "较差"],
        )
        note = FormField.objects.create(
            task=task, position=3, label="备注", kind=FieldKind.TEXT, per_row=True
        )
        now = clock.now()
        made = Receiver.objects.bulk_create(
            Receiver(
                task=task,
                place=p,
                place_path=p.path,
                state=ReceiverState.SUBMITTED,
                answers={visitor.key: f"网格员{n}"},
                row_count=rows,
                rows_filled=rows,
                saved_at=now,
                submitted_at=now - dt.timedelta(minutes=n),
                submitted_by=officer,
                late=n % 7 == 0,
            )
            for n, p in enumerate(places)
        )
        choices = ["良好", "一般", "较差"]
        for receiver in made:
            ReceiverRow.objects.bulk_create(
                (
                    ReceiverRow(
                        receiver=receiver,
                        position=i + 1,
                        resident=people[i],
                        values={health.key: choices[i % 3], note.key: f"第{i}户已走访"},
                        filled=True,
                    )
                    for i in range(rows)
                ),
                batch_size=5000,
            )
    print(f"  written in {time.perf_counter() - started:.1f} s", flush=True)
    return task


def main(argv=None) -> None:  # noqa: C901, PLR0915  (one script, read top to bottom)
    args = parse_args(argv)
    warnings.filterwarnings("ignore", message="No directory at")  # static files: not served here
    setup(args.database_url, f"keytasks-{args.scale}.sqlite3")

    from django.conf import settings
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.functional import Promise
    from django.utils.translation import gettext as _
    from openpyxl import Workbook

    from gongzhi.core import clock, otp
    from gongzhi.core.models import User
    from gongzhi.demo import places as demo
    from gongzhi.keytasks import list_selectors, list_status, list_views, rollup, selectors
    from gongzhi.keytasks.list_status import Status
    from gongzhi.keytasks.models import KeyTask, ReceiverState, TaskList
    from gongzhi.places.models import Household, Place

    call_command("migrate", verbosity=0, skip_checks=True)
    vendor = connection.vendor
    print(f"database: {vendor} {connection.settings_dict['NAME']}")
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"] and not manifest.exists():
        # PostgreSQL is the production set-up: pages name hashed static files (a few minutes).
        print(f"collecting static files into {settings.STATIC_ROOT} (once) …", flush=True)
        call_command("collectstatic", interactive=False, verbosity=0)
    if not Household.objects.exists():
        print(f"building the {args.scale} demo places (once) …", flush=True)
        demo.build(args.scale)
    officer = User.objects.get(username="street")
    street = Place.objects.filter(kind="street").order_by("path").first()
    assert street is not None
    communities = list(
        Place.objects.filter(parent=street, kind="community")
        .exclude(code__startswith=PLACE_PREFIX)
        .order_by("path")
    )
    _build_board(street, officer, args.tasks, communities)
    task = _build_rollup(street, officer, args.receivers, args.rows)
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    lists_n = TaskList.objects.filter(place_path__under=street.path).count()
    tasks_n = KeyTask.objects.filter(place_path__under=street.path).count()
    print(f"street {street.name}: {lists_n} task lists, {tasks_n:,} key tasks")

    # ---------------------------------------------------------------- (a) the board
    client = Client()
    client.force_login(officer)
    # A forced login stands for a finished one: the second factor counts as passed (as the
    # tests' conftest does; the officer's real login asks for it, gongzhi/core/otp.py).
    session = client.session
    session[otp.SESSION_KEY] = "forced-login"
    session.save()
    url = reverse("keytasks:board")
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    # The page's rows as rendered: each row's status and the link to its task.
    page_rows = re.findall(
        r'data-testid="board-row" data-status="(\w+)">.*?href="[^"]*/tasks/(\d+)/"',
        response.content.decode(),
        re.S,
    )
    with _Recorder(connection) as first_page:
        client.get(url)
    far = max(1, tasks_n // list_views.PAGE_SIZE - 1)
    with _Recorder(connection) as far_page:
        assert client.get(url, {"page": far}).status_code == 200
    page_ms = median_ms(lambda: client.get(url), args.runs)
    health_ms = median_ms(lambda: client.get("/healthz"), args.runs)

    def orm_board():
        qs = list_selectors.board(officer)
        page = Paginator(qs, list_views.PAGE_SIZE).get_page(1)
        return page.paginator.count, list(page.object_list)

    orm_count, orm_rows = orm_board()
    orm_ms = median_ms(orm_board, args.runs)

    today = clock.today()
    (days,) = set(list_status.risk_days_of(list_selectors.lists(officer)).values())
    code = list_status.ORDER.index
    adapt = connection.ops.adapt_datefield_value
    if vendor == "postgresql":
        under = "(t.place_path ~>=~ %s AND t.place_path ~<~ %s)"
    else:
        under = "(t.place_path >= %s AND t.place_path < %s)"
    path_params = [street.path, street.path[:-1] + "0"]
    deadline = "COALESCE(t.supervised_due_on, t.due_on)"
    status_sql = (
        f"CASE WHEN t.state = 'verified' THEN {code(Status.VERIFIED)} "
        f"WHEN t.state = 'done' THEN {code(Status.DONE)} "
        f"WHEN {deadline} < %s THEN {code(Status.OVERDUE)} "
        "WHEN EXISTS (SELECT 1 FROM keytasks_milestone m WHERE m.task_id = t.id "
        f"AND m.done_on IS NULL AND m.due_on < %s) AND {deadline} <= %s "
        f"THEN {code(Status.AT_RISK)} "
        "WHEN t.last_report_at IS NULL AND NOT EXISTS (SELECT 1 FROM keytasks_milestone m "
        f"WHERE m.task_id = t.id AND m.done_on IS NOT NULL) THEN {code(Status.NOT_STARTED)} "
        f"ELSE {code(Status.ON_TRACK)} END"
    )
    status_params = [adapt(today), adapt(today), adapt(today + dt.timedelta(days=days))]
    lists_sql = (
        "SELECT l.id, l.title, p.name FROM keytasks_tasklist l "
        "JOIN places_place p ON p.id = l.place_id "
        f"WHERE {under.replace('t.', 'l.')} ORDER BY l.place_path, l.created_at DESC, l.id DESC"
    )
    count_sql = f"SELECT COUNT(*) FROM keytasks_keytask t WHERE {under}"  # noqa: S608
    rows_sql = (
        f"SELECT t.id, t.number, t.title, t.paragraph, t.due_on, l.title, {status_sql} AS code "
        "FROM keytasks_keytask t JOIN keytasks_tasklist l ON l.id = t.task_list_id "
        f"WHERE {under} ORDER BY code, {deadline}, t.task_list_id, t.number "
        f"LIMIT {list_views.PAGE_SIZE}"
    )

    def raw_board():
        with connection.cursor() as cur:
            cur.execute(lists_sql, path_params)
            lists = cur.fetchall()
            cur.execute(count_sql, path_params)
            count = cur.fetchone()[0]
            cur.execute(rows_sql, [*status_params, *path_params])
            rows = cur.fetchall()
            ids = [r[0] for r in rows]
            cur.execute(
                "SELECT task_id, role, name FROM keytasks_taskunit WHERE task_id IN "  # noqa: S608
                f"({', '.join(['%s'] * len(ids))}) ORDER BY task_id, position",
                ids,
            )
            units: dict[int, list[tuple[str, str]]] = {}
            for task_id, role, name in cur.fetchall():
                units.setdefault(task_id, []).append((role, name))
            return lists, count, rows, units

    raw_lists, raw_count, raw_rows, raw_units = raw_board()
    assert raw_count == orm_count == tasks_n, (raw_count, orm_count, tasks_n)
    assert len(raw_lists) == lists_n, (len(raw_lists), lists_n)
    got = [(t.pk, list_status.code_of(t)) for t in orm_rows]
    assert [(r[0], r[6]) for r in raw_rows] == got, ("raw and ORM rows differ", raw_rows, got)
    assert [(int(pk), status) for status, pk in page_rows] == [
        (pk, list_status.ORDER[c]) for pk, c in got
    ]
    assert {t.pk: [(u.role, u.name) for u in t.units.all()] for t in orm_rows} == raw_units
    # Every status shows on the board (the data is not all of one kind).
    shown = set(list_selectors.board(officer).values_list("status_code", flat=True))
    raw_ms = median_ms(raw_board, args.runs)

    # ---------------------------------------------------------------- (b) the roll-up
    fields = selectors.fields_of(task)
    own = [f for f in fields if not f.per_row]
    per_row = [f for f in fields if f.per_row]
    labels = {s: str(ReceiverState(s).label) for s in ReceiverState.values}
    yes = _("yes")
    receivers_sql = (
        "SELECT r.id, p.name, r.state, r.submitted_at, r.late, r.answers "
        "FROM keytasks_receiver r JOIN places_place p ON p.id = r.place_id "
        "WHERE r.task_id = %s ORDER BY r.place_path, r.id"
    )
    rows_sql_ = (
        'SELECT rr.receiver_id, rr.position, rr."values", res.name, res.id_masked '
        "FROM keytasks_receiverrow rr JOIN keytasks_receiver r ON r.id = rr.receiver_id "
        "JOIN people_resident res ON res.id = rr.resident_id "
        "WHERE r.task_id = %s ORDER BY r.place_path, rr.receiver_id, rr.position"
    )

    def _json(value):
        return json.loads(value) if isinstance(value, str) else value

    def _local(value):
        if value is None:
            return ""
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return timezone.localtime(value).replace(tzinfo=None)

    def floor_lines():
        """The same lines from two raw reads: the receivers' own cells, then every row."""
        with connection.cursor() as cur:
            cur.execute(receivers_sql, [task.pk])
            heads = {}
            for rid, name, state, at, late, answers in cur.fetchall():
                answers = _json(answers)
                heads[rid] = [
                    name,
                    labels[state],
                    _local(at) if state == ReceiverState.SUBMITTED else "",
                    yes if late else "",
                    *(answers.get(f.key, "") for f in own),
                ]
            cur.execute(rows_sql_, [task.pk])
            for rid, pos, values, person, masked in cur:
                values = _json(values)
                yield [
                    *heads[rid],
                    pos,
                    f"{person} {masked or ''}".strip(),
                    *(values.get(f.key, "") for f in per_row),
                ]

    def floor_xlsx() -> bytes:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title="Roll-up")
        sheet.append(rollup.headers(task, fields))
        for line in floor_lines():
            sheet.append(line)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def plain(line):
        return [str(c) if isinstance(c, Promise) else c for c in line]

    orm_lines = [plain(line) for line in rollup.rows(task, user=officer)]
    raw_lines = list(floor_lines())
    assert len(orm_lines) == args.receivers * args.rows, len(orm_lines)
    assert orm_lines == raw_lines, ("roll-up lines differ", orm_lines[:2], raw_lines[:2])
    del orm_lines, raw_lines
    with _Recorder(connection) as rollup_queries:
        rollup.xlsx(task, user=officer)
    rollup_wall, rollup_cpu, content = _timed(
        lambda: rollup.xlsx(task, user=officer), args.rollup_runs
    )
    lines_wall, lines_cpu, _lines = _timed(
        lambda: sum(1 for _ in rollup.rows(task, user=officer)), args.rollup_runs
    )
    floor_wall, floor_cpu, floor_content = _timed(floor_xlsx, args.rollup_runs)
    read_wall, read_cpu, _read = _timed(lambda: sum(1 for _ in floor_lines()), args.rollup_runs)

    # ---------------------------------------------------------------- the tables
    print()
    print(f"board of the street, {tasks_n:,} key tasks: median of {args.runs} runs")
    header = f"{'measure':<58} {'median ms':>10} {'floor ms':>9}  rows"
    print(header)
    print("-" * len(header))
    print(f"{'board page (GET /keytasks/lists/)':<58} {page_ms:>10.1f} {raw_ms:>9.1f}  30")
    print(
        f"{'  list_selectors.board: count + first 30 with units':<58} "
        f"{orm_ms:>10.1f} {raw_ms:>9.1f}  30 of {orm_count:,}"
    )
    print(f"{'  GET /healthz, same client (floor of a request)':<58} {health_ms:>10.1f}")
    print(
        f"statuses on the board: "
        f"{', '.join(list_status.ORDER[c] for c in sorted(shown))}; first page: "
        f"{', '.join(sorted({status for status, _pk in page_rows}))}"
    )
    print(
        f"board page: {len(first_page.queries)} queries on page 1, "
        f"{len(far_page.queries)} on page {far}"
    )
    print()
    print(
        f"roll-up {args.receivers} receivers × {args.rows} rows = {args.receivers * args.rows:,} "
        f"lines: median of {args.rollup_runs} runs, seconds"
    )
    header = f"{'measure':<58} {'wall s':>8} {'CPU s':>8} {'xlsx':>10}"
    print(header)
    print("-" * len(header))
    print(
        f"{'rollup.xlsx (read + label + neutralise + write)':<58} {rollup_wall:>8.2f} "
        f"{rollup_cpu:>8.2f} {len(content) / 1e6:>8.2f} MB"
    )
    print(f"{'  rollup.rows only (no xlsx)':<58} {lines_wall:>8.2f} {lines_cpu:>8.2f}")
    print(
        f"{'floor: raw SQL read + openpyxl write-only':<58} {floor_wall:>8.2f} "
        f"{floor_cpu:>8.2f} {len(floor_content) / 1e6:>8.2f} MB"
    )
    print(f"{'  floor: raw SQL read only':<58} {read_wall:>8.2f} {read_cpu:>8.2f}")
    print(f"roll-up: {len(rollup_queries.queries)} queries")


if __name__ == "__main__":
    main()
