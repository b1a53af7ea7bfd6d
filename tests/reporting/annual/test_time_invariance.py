"""Time invariance: the statistics of a year are computed from the events as they stood on 31 December
(a month's filings: as they stood at the month's cutoff). Events dated after that, added later through the
services, change nothing but `computed_at`: an upgrade, revocations of platforms, of a 高企 certificate and
of a 科小 admission, experts leaving and coming back, more money paid on the year's and older projects, a
budget change, a late 立项 and a late application of the year's call, filings resent or first sent after
their cutoff."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kejiju.reporting.annual import annual_statistics
from platforms.rules import Level

from . import world as w

pytestmark = pytest.mark.django_db

YEAR = 2025
D = dt.date(YEAR, 12, 31)


def _without_time(stats: dict) -> dict:
    return {key: value for key, value in stats.items() if key != "computed_at"}


def _differences(before, after, path="stats") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        lines = []
        for key in sorted(set(before) | set(after), key=str):
            if key not in before or key not in after:
                lines.append(
                    f"{path}[{key!r}]: {before.get(key, '<absent>')!r} -> {after.get(key, '<absent>')!r}"
                )
            else:
                lines.extend(_differences(before[key], after[key], f"{path}[{key!r}]"))
        return lines
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        lines = []
        for i, (x, y) in enumerate(zip(before, after, strict=True)):
            label = x.get("key") or x.get("region") or x.get("name") or i if isinstance(x, dict) else i
            lines.extend(_differences(x, y, f"{path}[{label}]"))
        return lines
    return [] if before == after else [f"{path}: {before!r} -> {after!r}"]


def _after_the_year(world: w.World) -> list[str]:
    """Events dated after 31 December through the services; returns what was done (for the message)."""
    y1 = YEAR + 1
    log, records, done = world.log, world.records, []

    # Platforms recognised in the year: the first one still at city level is upgraded, every one still
    # standing is then revoked.
    recognised = [
        pk
        for pk, p in log.platforms.items()
        if any(e[0] == "recognise" and e[1].year == YEAR for e in p["events"])
        and p["events"][-1][0] != "revoke"
    ]
    upgradable = [pk for pk in recognised if all(e[2] == Level.CITY for e in log.platforms[pk]["events"])]
    if upgradable:
        w.upgrade_platform(world, records[("platform", upgradable[0])], dt.date(y1, 3, 2))
        done.append("upgraded a platform")
    for pk in recognised:
        w.revoke_platform(world, records[("platform", pk)], dt.date(y1, 4, 1))
        done.append("revoked a platform")

    for pk, c in log.certificates.items():
        if c["issued"] <= D <= c["expires"] and not c["revoked"]:
            w.revoke_certificate(world, records[("certificate", pk)], dt.date(y1, 2, 2))
            done.append("revoked a certificate")
            break
    for pk, s in log.smes.items():
        if s["admit"].year == YEAR and not s["revoke"]:
            w.revoke_sme(world, records[("sme", pk)], dt.date(y1, 2, 10))
            done.append("revoked a 科小 admission")
            break

    for pk, x in log.experts.items():
        last, on = x["events"][-1]
        expert = records[("expert", pk)]
        if last == "exit":
            w.readmit_expert(world, expert, dt.date(y1, 2, 20))
            done.append("re-admitted an expert")
        elif on.year == YEAR:
            w.exit_expert(world, expert, dt.date(y1, 1, 20))
            w.readmit_expert(world, expert, dt.date(y1, 3, 20))
            done.append("an expert admitted in the year left and came back")

    changed = False
    for pk, p in log.projects.items():
        project = records[("project", pk)]
        if p["approve"] and p["approve"][0].year in (YEAR, YEAR - 1):
            room = w.grant_now(world, project) - w.paid_so_far(world, project)
            if room >= 10_000:
                w.pay(world, project, Decimal(10_000), dt.date(y1, 2, 16))
                done.append(f"paid on a project approved in {p['approve'][0].year}")
            if p["approve"][0].year == YEAR and not changed:
                w.approve_budget_change(
                    world, project, w.paid_so_far(world, project) + 50_000, dt.date(y1, 3, 10)
                )
                done.append("approved a budget change")
                changed = True
        elif not p["approve"] and not p["closed"] and p["call_year"] == YEAR:
            w.approve_project(world, project, dt.date(y1, 1, 21), granted=Decimal(200_000))
            done.append("立项 of a pending project of the year's call")
    w.apply_project(world, world.counties[0], YEAR, dt.date(y1, 1, 15))
    done.append("a late application to the year's call")

    for (region, year, month), f in list(log.filings.items()):
        state, _ = w.filing_state_at(f["events"], dt.datetime(y1, 11, 1, tzinfo=w.SHANGHAI))
        if year == YEAR and state == "returned":
            filing = next(
                r
                for (kind, _), r in records.items()
                if kind == "filing" and r.region_id == region and (r.year, r.month) == (year, month)
            )
            w.resend_filing(
                world, filing, max(w.cutoff(year, month), dt.datetime(y1, 3, 1, tzinfo=w.SHANGHAI))
            )
            done.append("resent a returned filing after its cutoff")
    for county in world.counties:
        for month in (11, 12):
            if (county.pk, YEAR, month) not in log.filings:
                w.file_month(world, county, YEAR, month, "after_cutoff")
                done.append(f"first sent the {month} filing after its cutoff")
    return done


def test_events_after_the_year_change_nothing(regions):
    world = w.build_fixed_world(year=YEAR, last=D)
    before = _without_time(annual_statistics(year=YEAR))
    done = _after_the_year(world)
    after = _without_time(annual_statistics(year=YEAR))
    differences = _differences(before, after)
    assert not differences, (
        f"after {len(done)} events dated after {D} ({', '.join(sorted(set(done)))}):\n"
        + "\n".join(differences)
    )
