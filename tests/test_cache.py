"""The dashboard cache: figures are shared by everyone with the same scope and never across
scopes, are at most HR_DASHBOARD_CACHE_SECONDS old (the page says when they were computed), and
one computation serves everyone who asks at the same time."""

import asyncio
import re
from dataclasses import replace

import pytest

import hr.cache
from hr.cache import DASHBOARDS, TimedCache
from hr.settings import get_settings, set_settings
from tests.conftest import World, login
from tests.workenv.test_analysis import incident, local

PAGE = "/arbejdsmiljoe/analyse"
YEAR = {"fra": "2025-01", "til": "2025-12"}


@pytest.fixture
def cached():
    before = get_settings()
    set_settings(replace(before, dashboard_cache_seconds=60))
    DASHBOARDS.clear()
    yield
    set_settings(before)
    DASHBOARDS.clear()


def may_count(html: str) -> int:
    match = re.search(r'<th scope="row">2025-05</th><td>(\d+)</td>', html)
    assert match, "no row for 2025-05"
    return int(match.group(1))


async def test_figures_are_shared_within_a_scope_never_across_and_expire(client, new_client, world, cached,
                                                                         monkeypatch):
    for _ in range(3):
        await incident(world, local(2025, 5, 10, 14))
    await incident(world, local(2025, 5, 10, 14), unit=world.unit_b1)
    await login(client, World.LEADER)
    first = await client.get(PAGE, params=YEAR)
    assert may_count(first.text) == 3 and "Tallene er beregnet" in first.text
    other = new_client()
    await login(other, World.OTHER)
    assert may_count((await other.get(PAGE, params=YEAR)).text) == 1  # their own unit, not the cached one

    await incident(world, local(2025, 5, 11, 14))
    assert may_count((await client.get(PAGE, params=YEAR)).text) == 3  # still the computed figures
    later = hr.cache.monotonic() + 61
    monkeypatch.setattr(hr.cache, "monotonic", lambda: later)
    assert may_count((await client.get(PAGE, params=YEAR)).text) == 4


async def test_one_computation_serves_everyone_asking_at_once(cached):
    cache = TimedCache()
    calls = 0

    async def compute():
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return {"n": calls}

    results = await asyncio.gather(*(cache.get("key", compute) for _ in range(10)))
    assert calls == 1 and {r[0]["n"] for r in results} == {1}
    assert (await cache.get("other", compute))[0] == {"n": 2}


async def test_without_a_cache_every_request_computes(world):
    assert get_settings().dashboard_cache_seconds == 0  # the test suite's setting
    cache = TimedCache()
    calls = []

    async def compute():
        calls.append(1)
        return len(calls)

    assert [(await cache.get("k", compute))[0] for _ in range(3)] == [1, 2, 3]


async def test_hrs_front_page_shows_the_minute_old_list_and_then_the_next_one(client, world, cached, monkeypatch):
    """The region's duty list is computed once a minute and its rendering kept with it: within the
    minute the page shows that list, and after it the new one, rendered anew."""
    from hr import duties
    from tests.test_duties import _incident

    monkeypatch.setattr(duties, "_HR", TimedCache(max_entries=64))
    await _incident(world)
    await login(client, World.HR)
    first = (await client.get("/")).text
    assert "1 åbne opgaver hos lederne" in first  # the leaders' duties, counted per institution
    await _incident(world, unit=world.unit_b1)
    assert "1 åbne opgaver hos lederne" in (await client.get("/")).text
    later = hr.cache.monotonic() + 61
    monkeypatch.setattr(hr.cache, "monotonic", lambda: later)
    page = (await client.get("/")).text
    assert "2 åbne opgaver hos lederne" in page
    cell = f'href="/arbejdsmiljoe/opfoelgning?tilbud={world.inst_a}" aria-label="{{}} hændelser til opfølgning'
    assert cell.format(1) in first and cell.format(2) in page  # the table rendered anew


async def test_an_analysis_query_with_errors_shows_them_and_the_cached_page_does_not_keep_them(client, world,
                                                                                              cached):
    await incident(world, local(2025, 5, 10, 14))
    await login(client, World.LEADER)
    bad = (await client.get(PAGE, params={**YEAR, "alvor": "9"})).text
    assert "Alvorlighed er 1-4" in bad and may_count(bad) == 1
    good = (await client.get(PAGE, params=YEAR)).text  # the same corrected filters: the same cache entry
    assert "Alvorlighed er 1-4" not in good and may_count(good) == 1
    assert "Alvorlighed er 1-4" in (await client.get(PAGE, params={**YEAR, "alvor": "9"})).text
