# ruff: noqa: E501, S603, S607 - a bench script: long SQL strings, runs gunicorn and wrk it names itself
"""`make bench`: the hot paths measured at scale beside their peer or floor, in one run.

Run through the Makefile (it builds the *_scale database once per migration state). Writes
bench/results.json (one object per measure) and bench/results.md (the table for the README)."""

from __future__ import annotations

import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejiju.settings_prod")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
IMPORT_ROWS = 10_000
RESULTS: list[dict] = []


# Stack offsets (in padding frames) at which successive samples are taken. CPython 3.11 keeps frames in
# 16 KiB chunks and frees a chunk as soon as the stack falls back below it (python/cpython#142183, fixed by
# caching one chunk in 3.13 and 3.14): a loop whose calls straddle a chunk's edge maps and unmaps 16 KiB at
# every call. Whether a page's cell loop sits on an edge depends on how deep the caller is — here, on the
# frames of this script (one print more or less in `timed` halved or doubled the 专家 list: 40 ms against
# 20 ms, 169 000 against 84 000 mmap calls under strace, the same Python work under cProfile). Samples
# at several offsets measure the page, not where this script happens to leave the stack.
STACK_OFFSETS = (0, 9, 23, 41, 62)


def _at_depth(depth: int, fn):
    return fn() if depth == 0 else _at_depth(depth - 1, fn)


def timed(fn, runs=RUNS):
    fn()  # warm-up
    samples = []
    for i in range(runs):
        depth = STACK_OFFSETS[i % len(STACK_OFFSETS)]
        t0 = time.perf_counter()
        _at_depth(depth, fn)
        samples.append(time.perf_counter() - t0)
    return samples


def record(name, samples, unit, *, peer=None, goal="", met=None, extra=None, higher_is_better=False):
    value = statistics.median(samples) if samples else None
    ratio = None
    if value is not None and peer:
        ratio = round(value / peer, 3)
    row = {
        "name": name,
        "value": round(value, 4) if value is not None else None,
        "min": round(min(samples), 4) if samples else None,
        "max": round(max(samples), 4) if samples else None,
        "unit": unit,
        "peer": round(peer, 4) if peer else None,
        "ratio": ratio,
        "goal": goal,
        "met": bool(met) if met is not None else False,
    }
    if extra:
        row.update(extra)
    RESULTS.append(row)
    print(f"{name}: {row['value']} {unit} (peer {row['peer']}, ratio {ratio}) met={row['met']}", flush=True)
    return row


# ----------------------------------------------------------------------------------------------- users
def users():
    from kejiju.accounts.models import User
    from kejiju.accounts.scale import BENCH_USERNAME

    bench = User.objects.get(username=BENCH_USERNAME)
    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"is_staff": True, "is_superuser": True}
    )
    return bench, admin


def otp_device(user):
    """Production settings require two-factor authentication of bureau staff and the superuser: the bench
    users hold a confirmed TOTP device and their sessions are verified with it, as after a real login."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    return device


def login(client, user):
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = otp_device(user).persistent_id
    session.save()
    return client


# ----------------------------------------------------------------------------------------------- 1. lists
LISTS = [
    # (label, list url name, admin changelist, county filter (ours, admin), state filter (ours, admin), sort)
    (
        "企业",
        "enterprises:enterprise_list",
        "enterprises_enterprise",
        ("region", "region__id__exact"),
        ("is_active", "True", "is_active__exact", "1"),
        "name",
    ),
    (
        "平台",
        "platforms:platform_list",
        "platforms_platform",
        ("region", "region__id__exact"),
        ("state", "recognised", "state__exact", "recognised"),
        "name",
    ),
    (
        "项目",
        "projects:project_list",
        "projects_project",
        ("region", "region__id__exact"),
        ("state", "executing", "state__exact", "executing"),
        "title",
    ),
    (
        "专家",
        "experts:expert_list",
        "experts_expert",
        ("county", "county__id__exact"),
        ("state", "在库", "state__exact", "在库"),
        "name",
    ),
]


def measure_lists(bench, admin):
    from django.apps import apps
    from django.contrib import admin as django_admin

    from kejiju.accounts.models import Region

    ours, theirs = login(Client(), bench), login(Client(), admin)
    county = Region.objects.get(code="140902").pk
    wanted = set(filter(None, os.environ.get("BENCH_LISTS", "").split(",")))  # e.g. BENCH_LISTS=企业,专家
    for label, url_name, admin_name, (cf, acf), (sf, sv, asf, asv), sort in LISTS:
        if wanted and label not in wanted:
            continue
        app_label, model_name = admin_name.split("_", 1)
        model = apps.get_model(app_label, model_name)
        # The admin shows 100 rows a page as shipped; compare like with like: 50 rows, the same offsets.
        django_admin.site._registry[model].list_per_page = 50
        last_page = max(1, model.objects.count() // 50)
        deep = min(500, last_page)
        cases = [
            ("第1页", {}, {}, 0.025),
            ("县区+状态筛选", {cf: county, sf: sv}, {acf: county, asf: asv}, 0.025),
            # The admin changelist's page parameter is `p`, 1-based like ours (django.contrib.admin.views.main).
            (f"第{deep}页", {"page": deep}, {"p": deep}, 0.025),
            ("按列排序", {"sort": sort}, {"o": "1"}, 0.025),
            ("搜索“科技”", {"q": "科技"}, {"q": "科技"}, 0.060),
            (
                "搜索长词",
                {"q": "关键技术研究" if label == "项目" else "晋北科技"},
                {"q": "关键技术研究" if label == "项目" else "晋北科技"},
                0.060,
            ),
        ]
        url = reverse(url_name)
        admin_url = reverse(f"admin:{admin_name}_changelist")
        for case, params, admin_params, limit in cases:
            status = {}

            def get(client=ours, url=url, params=params, status=status):
                response = client.get(url, params)
                status["code"] = response.status_code
                return response

            get()  # warm-up: the queries of a page in steady state (caches filled) are counted
            with CaptureQueriesContext(connection) as queries:
                get()
            n_queries = len(queries)
            our = timed(get)
            our_status = status["code"]
            peer_samples = timed(lambda u=admin_url, p=admin_params: get(theirs, u, p))
            peer = statistics.median(peer_samples)
            value = statistics.median(our)
            record(
                f"列表 {label}：{case}",
                [s * 1000 for s in our],
                "ms",
                peer=peer * 1000,
                goal=f"≤ 0.5 × admin；≤ {int(limit * 1000)} ms；查询 ≤ 10",
                met=our_status == 200
                and status["code"] == 200
                and value <= 0.5 * peer
                and value <= limit
                and n_queries <= 10,
                extra={"queries": n_queries, "status": our_status, "peer_status": status["code"]},
            )


# ----------------------------------------------------------------------------------------------- 2. annual
def measure_annual():
    """Everything the leadership dashboard states for last year at province scale: the headlines of five
    years for the trend, the county table, filing timeliness and the popularisation section, each figure
    read as of 31 December from the dated events (`annual_statistics`, as the dashboard calls it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from kejiju.reporting.annual import annual_statistics

    year = timezone.localdate().year - 1

    def dashboard():
        annual_statistics(year=year, appendix=False)

    with CaptureQueriesContext(connection) as queries:
        dashboard()
    ours = timed(dashboard)
    value = statistics.median(ours)
    record(
        "年度统计（省级规模，看板全部数字：五年趋势、分县区、报送及时、科普）",
        ours,
        "s",
        goal="≤ 2 s",
        met=value <= 2,
        extra={"queries": len(queries)},
    )


PDF_TIMEOUT = 150  # seconds; ten times the goal for the whole job


def pdf_child(which: str) -> None:
    """In a subprocess: the whole annual-review job ("job": statistics, charts, template, WeasyPrint), or
    WeasyPrint alone on the already-rendered HTML ("floor"); prints the seconds it took."""
    from django.utils import timezone
    from weasyprint import HTML

    from kejiju.reporting import annual_pdf
    from kejiju.reporting.annual import annual_statistics

    year = timezone.localdate().year - 1
    if which == "job":
        t0 = time.perf_counter()
        size = len(annual_pdf.render_pdf(annual_statistics(year=year)))
    else:
        html = annual_pdf.render_html(annual_statistics(year=year))
        t0 = time.perf_counter()
        size = len(HTML(string=html).write_pdf())
    print(json.dumps({"seconds": time.perf_counter() - t0, "bytes": size}))


def measure_annual_pdf():
    """One run each in a subprocess, bounded by PDF_TIMEOUT: at province scale the appendix lists every
    platform recognised and every enterprise admitted in the year, hundreds of pages."""
    results = {}
    for which in ("job", "floor"):
        try:
            results[which] = _child("pdf", which, timeout=PDF_TIMEOUT)["seconds"]
        except subprocess.TimeoutExpired:
            results[which] = None
    ours, peer = results["job"], results["floor"]
    goal = "≤ 1.3 × 仅 WeasyPrint 渲染；全程 ≤ 15 s"
    if ours is None:
        RESULTS.append(
            {
                "name": "年度总结 PDF（省级规模，统计 + 渲染）",
                "value": None,
                "unit": "s",
                "peer": round(peer, 4) if peer else None,
                "ratio": None,
                "goal": goal,
                "met": False,
                "note": f"> {PDF_TIMEOUT} s (stopped)"
                + ("" if peer else f"; WeasyPrint alone also > {PDF_TIMEOUT} s"),
            }
        )
        print(f"annual PDF: over {PDF_TIMEOUT} s", flush=True)
        return
    record(
        "年度总结 PDF（省级规模，统计 + 渲染）",
        [ours],
        "s",
        peer=peer,
        goal=goal,
        met=peer is not None and ours <= 15 and ours <= 1.3 * peer,
    )


# ----------------------------------------------------------------------------------------------- 4. monthly
def measure_monthly():
    from django.utils import timezone

    from kejiju.reporting.jobs import write_workbook
    from kejiju.reporting.selectors import monthly_report_data

    year = timezone.localdate().year - 1
    samples = timed(lambda: write_workbook(monthly_report_data(year=year, month=12)), runs=3)
    record("月度进展报表 xlsx（130 个县区）", samples, "s", goal="≤ 3 s", met=statistics.median(samples) <= 3)


# ----------------------------------------------------------------------------------------------- 5. export
def export_child(which: str) -> None:
    """In a subprocess: one export, prints rows, seconds and peak RSS (MB)."""
    from openpyxl import Workbook

    from enterprises.models import Enterprise

    if which == "ours":
        bench, _ = users()
        client = login(Client(), bench)
        t0 = time.perf_counter()
        response = client.get(reverse("enterprises:enterprise_export"))
        size = 0
        if getattr(response, "streaming", False):
            for chunk in response.streaming_content:
                size += len(chunk)
        else:
            size = len(response.content)
        seconds = time.perf_counter() - t0
        rows = Enterprise.objects.count()
        status = response.status_code
    else:
        # The same rows as ours: our export's cells, read back into memory (not timed), then written.
        from openpyxl import load_workbook

        bench, _ = users()
        response = login(Client(), bench).get(reverse("enterprises:enterprise_export"))
        content = b"".join(response.streaming_content)
        source = load_workbook(io.BytesIO(content), read_only=True)
        rows_data = [list(row) for row in source.worksheets[0].iter_rows(values_only=True)]
        source.close()
        del response, content
        t0 = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("企业")
        for row in rows_data:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        seconds = time.perf_counter() - t0
        rows, size, status = len(rows_data) - 1, buffer.tell(), 200  # data rows, as ours counts
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak, "bytes": size, "status": status}))


def _child(*args, timeout=None, env=None) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=timeout,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(lines[-1])


def measure_export():
    ours = [_child("export", "ours") for _ in range(3)]
    floor = [_child("export", "floor") for _ in range(3)]
    our_rps = [r["rows"] / r["seconds"] for r in ours]
    floor_rps = statistics.median(r["rows"] / r["seconds"] for r in floor)
    peak = max(r["peak_mb"] for r in ours)
    value = statistics.median(our_rps)
    record(
        f"导出 {ours[0]['rows']} 家企业 xlsx",
        our_rps,
        "行/秒",
        peer=floor_rps,
        goal="≥ 0.8 × openpyxl 只写模式；峰值内存 ≤ 150 MB",
        met=ours[0]["status"] == 200 and value >= 0.8 * floor_rps and peak <= 150,
        extra={"peak_mb": round(peak, 1), "status": ours[0]["status"]},
    )


# ----------------------------------------------------------------------------------------------- 6. import
def measure_import():
    from openpyxl import Workbook, load_workbook

    from enterprises import importer
    from kejiju.accounts.models import Region

    bench, _ = users()
    rows = IMPORT_ROWS
    if rows > importer.MAX_ROWS:
        raise RuntimeError(f"the importer refuses more than {importer.MAX_ROWS} rows per sheet")
    regions = [r.name for r in Region.objects.county_level()]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.ENTERPRISE_SHEET
    sheet.append([label for _k, label, _r in importer.ENTERPRISE_COLUMNS])
    from kejiju.core.identifiers import org_code_check_char, uscc_check_char

    for i in range(rows):
        body = f"MB{i:06d}"
        first17 = f"91140902{body}{org_code_check_char(body)}"
        sheet.append(
            [
                f"导入基准企业{i:05d}",
                first17 + uscc_check_char(first17),
                regions[i % len(regions)],
                "C",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()

    def ours():
        with transaction.atomic():
            parsed = importer.parse(content=content, name="bench.xlsx", user=bench)
            if not parsed.ok:
                raise RuntimeError(f"import rejected: {parsed.errors[:3]}")
            importer.commit(parsed=parsed, user=bench)
            transaction.set_rollback(True)

    def floor():
        book = load_workbook(io.BytesIO(content), read_only=True)
        for _row in book[importer.ENTERPRISE_SHEET].iter_rows(values_only=True):
            pass
        book.close()

    our_rps = [rows / s for s in timed(ours, runs=3)]
    floor_rps = statistics.median(rows / s for s in timed(floor, runs=3))
    record(
        f"导入 {rows} 家企业 xlsx（完整校验，整体回滚）",
        our_rps,
        "行/秒",
        peer=floor_rps,
        goal="≥ 0.5 × openpyxl 只读模式",
        met=statistics.median(our_rps) >= 0.5 * floor_rps,
    )


# ----------------------------------------------------------------------------------------------- 7. load
LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Cookie"] = "sessionid=%s", ["Host"] = "127.0.0.1"})
end
"""


def measure_load():
    import shutil

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from enterprises.models import Enterprise
    from kejiju.reporting.models import MonthlyFiling

    if not shutil.which("wrk"):
        RESULTS.append(
            {
                "name": "HTTP 负载（20 并发，60 s）",
                "value": None,
                "unit": "请求/秒",
                "peer": None,
                "ratio": None,
                "goal": "≥ 150 请求/秒；p99 ≤ 500 ms；0 错误",
                "met": False,
                "note": "not measured: wrk missing",
            }
        )
        return
    bench, _ = users()
    store = SessionStore()
    store[SESSION_KEY] = str(bench.pk)
    store[BACKEND_SESSION_KEY] = "kejiju.accounts.backends.CachedPermissionsBackend"
    store[HASH_SESSION_KEY] = bench.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = otp_device(bench).persistent_id
    store.create()
    enterprise = Enterprise.objects.order_by("pk").first()
    filing = MonthlyFiling.objects.order_by("-pk").first()
    paths = [
        "/",
        reverse("enterprises:enterprise_list"),
        reverse("enterprises:enterprise_detail", args=[enterprise.pk]),
        reverse("platforms:platform_list"),
        reverse("reporting:monthlyfiling_detail", args=[filing.pk]) if filing else "/",
    ]
    script = ROOT / "bench" / "data" / "load.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(LUA % (", ".join(f'"{p}"' for p in paths), store.session_key))
    env = dict(os.environ)
    port = "8765"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "kejiju.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        time.sleep(4)
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                "-c20",
                "-d60s",
                "--timeout",
                "5s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        ).stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(out)
    rps = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
    p99_text = next((line.split()[1] for line in out.splitlines() if line.strip().startswith("99%")), "0ms")
    p99 = _ms(p99_text)
    errors = 0
    for line in out.splitlines():
        if "Non-2xx" in line or "Socket errors" in line:
            errors += sum(
                int(tok.rstrip(",")) for tok in line.replace(":", " ").split() if tok.rstrip(",").isdigit()
            )
    record(
        "HTTP 负载（gunicorn 3×4，20 并发，60 s）",
        [rps],
        "请求/秒",
        goal="≥ 150 请求/秒；p99 ≤ 500 ms；0 错误",
        met=rps >= 150 and p99 <= 500 and errors == 0,
        extra={"p99_ms": p99, "errors": errors},
    )


def _ms(text: str) -> float:
    for suffix, factor in (("ms", 1), ("us", 0.001), ("s", 1000), ("m", 60000)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


# ----------------------------------------------------------------------------------------------- 8. storage
# Rounds of four children (local, s3, s3, local), each one warm-up and one timed run: the two storages
# alternate closely, so that a change in a shared machine's load falls on both.
STORAGE_ROUNDS = int(os.environ.get("BENCH_STORAGE_ROUNDS", "2"))
STORAGE_GOAL = "≤ 1.2 × 本地磁盘"
S3_BUCKET = "kejiju-bench"
STORAGE_BACKENDS = {
    "local": "django.core.files.storage.FileSystemStorage",
    "s3": "storages.backends.s3.S3Storage",
}
S3_KEYS = {
    "S3_ACCESS_KEY_ID": "bench-access",
    "S3_SECRET_ACCESS_KEY": "bench-secret",
    "S3_REGION": "us-east-1",
}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    """moto's S3 server (the one the tests use, tests/objectstore.py) in a process of its own, with the
    bench bucket created through boto3: `env` is what a child needs for FILE_STORAGE=s3."""

    def __enter__(self) -> dict[str, str]:
        import socket

        import boto3

        port = _free_port()
        log = ROOT / "bench" / "data" / "moto.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=handle,
                stderr=subprocess.STDOUT,
                env={**os.environ, "MOTO_PORT": str(port)},
            )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server ended with {self.process.returncode} (see {log})")
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"moto server not answering on port {port}") from None
                time.sleep(0.1)
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=S3_KEYS["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["S3_SECRET_ACCESS_KEY"],
            region_name=S3_KEYS["S3_REGION"],
        ).create_bucket(Bucket=S3_BUCKET)
        return {
            "FILE_STORAGE": "s3",
            "S3_ENDPOINT_URL": endpoint,
            "S3_BUCKET": S3_BUCKET,
            "S3_ADDRESSING_STYLE": "path",
            **S3_KEYS,
        }

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _annual_path(client, bench, year: int) -> dict:
    """The annual review as the portal serves it: the worker's job (statistics, PDF, saved to the default
    storage by report_job_run) and the web's download (read back from the storage, every page stamped with
    the viewer's name). Also times the storage alone on the same bytes (save, read back, delete)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from kejiju.core.models import ReportJob
    from kejiju.core.services import report_job_run
    from kejiju.reporting.annual_pdf import KIND

    job = ReportJob.objects.create(kind=KIND, parameters={"year": year}, requested_by=bench)
    t0 = time.perf_counter()
    report_job_run(job_id=job.pk)
    t1 = time.perf_counter()
    job.refresh_from_db()
    if job.state != ReportJob.State.SUCCEEDED:
        raise RuntimeError(f"annual review job {job.pk}: {job.state} {job.error}")
    response = client.get(reverse("core:reportjob_download", args=[job.pk]))
    size = (
        sum(len(chunk) for chunk in response.streaming_content)
        if response.streaming
        else len(response.content)
    )
    t2 = time.perf_counter()
    with default_storage.open(job.file.name, "rb") as handle:  # the job's bytes, for the store alone
        data = handle.read()
    t3 = time.perf_counter()
    name = default_storage.save("bench/annual.pdf", ContentFile(data))
    t4 = time.perf_counter()
    with default_storage.open(name, "rb") as handle:
        handle.read()
    t5 = time.perf_counter()
    default_storage.delete(name)
    default_storage.delete(job.file.name)
    job.delete()
    return {
        "seconds": t2 - t0,
        "job": t1 - t0,
        "download": t2 - t1,
        "save": t4 - t3,
        "read": t5 - t4,
        "bytes": size,
        "status": response.status_code,
    }


def _export_path(client, query: dict) -> dict:
    t0 = time.perf_counter()
    response = client.get(reverse("enterprises:enterprise_export"), query)
    size = (
        sum(len(chunk) for chunk in response.streaming_content)
        if response.streaming
        else len(response.content)
    )
    return {"seconds": time.perf_counter() - t0, "bytes": size, "status": response.status_code}


def storage_child(which: str) -> None:
    """In a subprocess whose FILE_STORAGE (local with MEDIA_ROOT in a temporary folder, or s3 against the
    moto server) the parent chose: a warm-up on a nearly empty case (imports, fonts, the store's
    connection), then one run; prints its figures."""
    from django.conf import settings
    from django.utils import timezone

    bench, _ = users()
    client = login(Client(), bench)
    if which == "annual":
        year = timezone.localdate().year - 1
        _annual_path(client, bench, 2000)  # warm-up: a year without data, the same path
        runs = [_annual_path(client, bench, year)]
    else:
        _export_path(client, {"q": "无此企业"})  # warm-up: no rows, the same path
        runs = [_export_path(client, {})]
    print(json.dumps({"storage": settings.STORAGES["default"]["BACKEND"], "runs": runs}))


def measure_storage():
    """The annual review (job + download) and the enterprise export with the default storage on the local
    disk and in an S3-compatible store (moto's server, started here), alternating the two (STORAGE_ROUNDS).
    On a loaded machine the whole path's ratio is mostly noise; `store_s` is what the store itself adds (the
    same PDF saved and read back, s3 minus local) and `store_ratio` the whole path's ratio that leaves."""
    import tempfile

    with MotoServer() as s3_env, tempfile.TemporaryDirectory(prefix="kejiju-bench-media-") as media:
        envs = {"local": {"FILE_STORAGE": "local", "MEDIA_ROOT": media}, "s3": s3_env}
        for which, name, note in (
            (
                "annual",
                "对象存储：年度工作综述（任务生成并存入 + 经下载视图读回、加水印）",
                "worker: statistics, PDF, saved to the default storage; web: read back, stamped, sent",
            ),
            (
                "export",
                "对象存储：导出全部企业 xlsx",
                "the export does not touch the file storage (openpyxl writes a temporary file that the "
                "response streams): both figures are the same path, measured as a check",
            ),
        ):
            runs: dict[str, list[dict]] = {"local": [], "s3": []}
            for backend in ("local", "s3", "s3", "local") * STORAGE_ROUNDS:
                child = _child("storage-child", which, env=envs[backend], timeout=PDF_TIMEOUT * 6)
                if child["storage"] != STORAGE_BACKENDS[backend]:
                    raise RuntimeError(f"{backend}: the child's default storage is {child['storage']}")
                runs[backend].extend(child["runs"])
            local = statistics.median(r["seconds"] for r in runs["local"])
            s3 = [r["seconds"] for r in runs["s3"]]
            ok = all(r["status"] == 200 for rs in runs.values() for r in rs)
            extra = {
                "local_s": round(local, 4),
                "s3_s": round(statistics.median(s3), 4),
                "bytes": runs["s3"][0]["bytes"],
                "status": 200
                if ok
                else next(r["status"] for rs in runs.values() for r in rs if r["status"] != 200),
                "note": note + "; the S3 store is moto's server (Python) on this machine",
            }
            if which == "annual":
                for part in ("job", "download", "save", "read"):
                    for backend in ("local", "s3"):
                        extra[f"{part}_{backend}_s"] = round(
                            statistics.median(r[part] for r in runs[backend]), 4
                        )
                store = sum(extra[f"{part}_s3_s"] - extra[f"{part}_local_s"] for part in ("save", "read"))
                extra["store_s"] = round(store, 4)
                extra["store_ratio"] = round((local + store) / local, 3)
            record(
                name,
                s3,
                "s",
                peer=local,
                goal=STORAGE_GOAL,
                met=ok and statistics.median(s3) <= 1.2 * local,
                extra=extra,
            )


# ----------------------------------------------------------------------------------------------- output
def write_results(partial: bool = False):
    """The full run writes bench/results.json and results.md; a run of some groups (`bench/run.py lists`)
    writes bench/data/partial.json and .md only, so that the committed results are always of one run."""
    out = ROOT / "bench" / "data" if partial else ROOT / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / ("partial.json" if partial else "results.json")).write_text(
        json.dumps(RESULTS, ensure_ascii=False, indent=2) + "\n"
    )
    machine = f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, {platform.platform()}"
    lines = [
        f"Machine: {machine}. Runs per measure: {RUNS} after a warm-up.",
        "",
        "| 测量项 | 中位数 | 最小 | 最大 | 单位 | 对照/下限 | 比值 | 查询数 | 目标 | 达标 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in RESULTS:
        value = r["value"] if r["value"] is not None else r.get("note", "—")
        lines.append(
            f"| {r['name']} | {value} | {r.get('min') or '—'} | {r.get('max') or '—'} | {r['unit']} | "
            f"{r['peer'] if r['peer'] is not None else '—'} | {r['ratio'] if r['ratio'] is not None else '—'} | "
            f"{r.get('queries', '—')} | {r['goal']} | {'是' if r['met'] else '否'} |"
        )
    (out / ("partial.md" if partial else "results.md")).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main(argv):
    if len(argv) > 2 and argv[1] == "export":
        export_child(argv[2])
        return
    if len(argv) > 1 and argv[1] == "render":  # rewrite results.md from results.json
        RESULTS.extend(json.loads((ROOT / "bench" / "results.json").read_text()))
        write_results()
        return
    if len(argv) > 2 and argv[1] == "pdf":
        pdf_child(argv[2])
        return
    if len(argv) > 2 and argv[1] == "storage-child":
        storage_child(argv[2])
        return
    only = set(argv[1:])
    bench, admin = users()
    steps = {
        "lists": lambda: measure_lists(bench, admin),
        "annual": measure_annual,
        "pdf": measure_annual_pdf,
        "monthly": measure_monthly,
        "export": measure_export,
        "import": measure_import,
        "load": measure_load,
        "storage": measure_storage,
    }
    for name, step in steps.items():
        if only and name not in only:
            continue
        try:
            step()
        except Exception as error:  # a failing measure is reported, the others still run
            RESULTS.append(
                {
                    "name": name,
                    "value": None,
                    "unit": "",
                    "peer": None,
                    "ratio": None,
                    "goal": "",
                    "met": False,
                    "note": f"failed: {type(error).__name__}: {str(error)[:200]}",
                }
            )
            print(f"{name} failed: {error!r}", flush=True)
    write_results(partial=bool(only))


if __name__ == "__main__":
    main(sys.argv)
