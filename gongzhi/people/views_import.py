"""Pages of the resident import: upload, preview with every row's errors, commit, error sheet.

The upload is kept in memory (never in a temporary file: it holds plain ID numbers), checked
against IMPORT_MAX_BYTES while it arrives, and stored only encrypted (gongzhi/people/imports/).
"""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.people import imports
from gongzhi.people.models import ImportBatch

PAGE_SIZE = 50
SHOWN_HEADERS = ["姓名", "证件号码", "楼栋", "单元", "室号"]  # the template's own headers
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class InMemoryUpload(MemoryFileUploadHandler):
    """Keep the upload in memory whatever its size, and stop reading past the limit."""

    too_big = False
    received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True
        self.content_length = content_length

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.IMPORT_MAX_BYTES:
            self.too_big = True
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


class UploadForm(forms.Form):
    community = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Community"))
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        qs = imports.import_communities(user)
        self.fields["community"].queryset = qs
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "community" else "form-control"


def _size_error() -> str:
    limit = settings.IMPORT_MAX_BYTES
    return imports.render(
        imports.E_TOO_BIG, {"size": f"> {imports._mb(limit)}", "limit": imports._mb(limit)}
    )


@csrf_exempt
@login_required
def index(request):
    """Upload form and the recent imports of the user's communities."""
    handler = None
    if request.method == "POST":
        handler = InMemoryUpload(request)
        request.upload_handlers = [handler]
    return _index(request, handler)


@csrf_protect
@requires(Action.RESIDENT_IMPORT)
def _index(request, handler):
    form = UploadForm(request.user, request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if handler is not None and handler.too_big:
            form.add_error("file", _size_error())
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                imports.check_size(upload.size)
                batch = imports.start(
                    form.cleaned_data["community"], upload.name, upload.read(), actor=request.user
                )
            except imports.ImportFileError as error:
                form.add_error("file", error.message)
            else:
                return redirect("people_import:detail", pk=batch.pk)
    page = Paginator(imports.visible_batches(request.user).defer("errors"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "max_mb": imports._mb(settings.IMPORT_MAX_BYTES),
        "columns": imports.COLUMNS,
    }
    return render(request, "people/import.html", context, status=status)


@login_required
@requires(Action.RESIDENT_IMPORT)
def template(request):
    """The empty template with Chinese headers and a sheet of allowed values."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "居民信息"
    sheet.append([c.header for c in imports.COLUMNS])
    for i in range(1, len(imports.COLUMNS) + 1):
        cell = sheet.cell(row=1, column=i)
        cell.number_format = "@"
        sheet.column_dimensions[cell.column_letter].width = 16
        # Text format for the whole column: long ID numbers must not become numbers.
        sheet.column_dimensions[cell.column_letter].number_format = "@"
    notes = book.create_sheet("填写说明")
    notes.append(["列", "必填", "说明"])
    for column, text in _NOTES:
        notes.append([column.header, "是" if column.required else "", text])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''resident-import-template.xlsx"
    return response


_COL = {c.key: c for c in imports.COLUMNS}
# The notes sheet of the template is part of the file format (Chinese, like the headers).
_NOTES = [
    (_COL["name"], "居民姓名"),
    (_COL["id_type"], "、".join(imports.ID_TYPES) + "；空白为居民身份证"),
    (_COL["id_number"], "请以文本格式填写，18 位身份证号最后一位可为 X"),
    (_COL["gender"], "男 / 女；可空，须与身份证号一致"),
    (_COL["birth_date"], "如 1980-01-31；可空，须与身份证号一致"),
    (_COL["phone"], "11 位手机号"),
    (_COL["building"], "小区名加楼栋名，如“乐坪花园1栋”；楼栋名在本社区唯一时可只写楼栋名"),
    (_COL["unit"], "如 1；无单元可空"),
    (_COL["room"], "如 101"),
    (_COL["relation"], "、".join(imports.RELATIONS)),
    (_COL["status"], "户籍 / 常住 / 流动；空白为户籍"),
    (_COL["moved_in"], "如 2020-05-01"),
    (_COL["tags"], "用逗号分隔：" + "、".join(imports.TAGS)),
    (_COL["specialty"], "技能特长，200 字以内"),
]


def _detail_context(request, batch: ImportBatch) -> dict:
    page = Paginator(batch.errors, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = imports.rendered_errors(page.object_list)
    for row in rows:
        row["shown"] = [row["cells"].get(h, "") for h in SHOWN_HEADERS]
    return {
        "batch": batch,
        "page": page,
        "error_list": rows,
        "file_error": imports.render(*batch.file_error) if batch.file_error else "",
        "shown_headers": SHOWN_HEADERS,
        "modes": ImportBatch.Mode,
        "existing_rows": max(batch.valid_rows - batch.new_rows, 0),
    }


@login_required
def detail(request, pk: int):
    batch = imports.get_batch(request.user, pk)
    return render(request, "people/import_detail.html", _detail_context(request, batch))


@login_required
def progress(request, pk: int):
    batch = imports.get_batch(request.user, pk)
    response = render(request, "people/import_progress.html", {"batch": batch})
    if not batch.running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def commit(request, pk: int):
    batch = imports.get_batch(request.user, pk)
    mode = request.POST.get("mode", "")
    if mode not in ImportBatch.Mode.values:
        messages.error(request, _("Choose how to import."))
        return redirect("people_import:detail", pk=batch.pk)
    try:
        batch = imports.commit(batch, mode, actor=request.user)
    except imports.ImportRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if batch.status == ImportBatch.Status.COMMITTED:
            messages.success(
                request,
                _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "created": batch.created_count,
                    "updated": batch.updated_count,
                    "unchanged": batch.unchanged_count,
                },
            )
    return redirect("people_import:detail", pk=batch.pk)


@login_required
@require_POST
def discard(request, pk: int):
    batch = imports.get_batch(request.user, pk)
    try:
        imports.discard(batch, actor=request.user)
    except imports.ImportRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("people_import:detail", pk=batch.pk)
    messages.success(request, _("The upload was discarded and its file deleted."))
    return redirect("people_import:index")


@login_required
def errors(request, pk: int):
    """The rows with errors as a spreadsheet: an error column, ID and phone masked, every
    cell neutralised against formula injection."""
    batch = imports.get_batch(request.user, pk)
    from gongzhi.core.exports import write_xlsx

    headers = ["行号", "错误", *(c.header for c in imports.COLUMNS)]
    rows = (
        [
            entry["row"],
            "；".join(entry["messages"]),
            *(entry["cells"].get(c.header, "") for c in imports.COLUMNS),
        ]
        for entry in imports.rendered_errors(batch.errors)
    )
    body = write_xlsx(rows, headers, title="错误行")
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''import-{batch.pk}-errors.xlsx"
    return response
