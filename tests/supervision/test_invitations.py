"""Invitations: one mail per person with an RFC 5545 invitation that updates and cancels the
same calendar event; moving with a reason and a cut-off; the subscribable feed; DST."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from hr.auth.services import load_principal
from hr.db import now
from hr.forms import ValidationError
from hr.notify import outbox
from hr.settings import TIMEZONE, get_settings, set_settings
from hr.supervision import agenda, booking
from hr.supervision.tables import Booking
from tests.confirmations import confirmed
from tests.conftest import PASSWORD, World, login
from tests.supervision.conftest import group_of, next_monday


def event_of(message):
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    [event] = calendar.walk("VEVENT")
    return part.get_param("method"), calendar, event


async def book_group(world, supervisor, at=None) -> int:
    hr = await load_principal(world.accounts["hr"])
    return await booking.book(hr, supervisor_id=supervisor, starts_at=at or next_monday(time(10)), minutes=90,
                              session_type="group", capacity=6, employee_ids=await group_of(world),
                              place="Personalestuen")


async def mails(smtp) -> list:
    await outbox.deliver_due()
    return smtp.messages()


async def test_each_participant_gets_an_invitation_naming_only_themselves(world, supervisor, smtp):
    booking_id = await book_group(world, supervisor)
    row = await Booking.select().where(Booking.id == booking_id).first().run()
    messages = await mails(smtp)
    participants = {World.LEADER, World.STAFF, World.AMR, "ib@test.example"}
    assert sorted(m["To"] for m in messages) == sorted(participants | {"knud@supervision.example"})
    for message, envelope in zip(messages, smtp.envelopes, strict=True):
        me = message["To"]
        assert envelope.rcpt_tos == [me]
        others = participants - {me}
        raw = envelope.content.decode("utf-8", "replace").lower()
        assert not any(other in raw for other in others), f"{me} sees another participant's address"
        method, calendar, event = event_of(message)
        assert method == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == row["uid"] and int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == row["starts_at"]
        assert event.decoded("DTEND") == row["starts_at"] + timedelta(minutes=90)
        assert str(event["ATTENDEE"]).lower() == f"mailto:{me}"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert "Gruppesupervision" in message["Subject"]


async def test_moving_sends_an_update_of_the_same_event_to_everyone(world, supervisor, smtp):
    booking_id = await book_group(world, supervisor)
    hr = await load_principal(world.accounts["hr"])
    new_start = next_monday(time(13))
    with pytest.raises(ValidationError) as refused:
        await booking.reschedule(hr, booking_id, new_start, 60, "  ")
    assert "move_reason" in refused.value.errors
    await booking.reschedule(hr, booking_id, new_start, 60, "Supervisor til møde om formiddagen")
    row = await Booking.select().where(Booking.id == booking_id).first().run()
    assert row["starts_at"] == new_start and row["sequence"] == 1
    moved = [m for m in await mails(smtp) if m["Subject"].startswith("Flyttet")]
    assert len(moved) == 5
    for message in moved:
        method, _, event = event_of(message)
        assert method == "REQUEST" and str(event["UID"]) == row["uid"] and int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART") == new_start
        assert "Supervisor til møde om formiddagen" in message.get_body(("plain",)).get_content()


async def test_moving_onto_a_busy_slot_or_outside_availability_is_refused(world, supervisor, smtp):
    first = await book_group(world, supervisor)
    hr = await load_principal(world.accounts["hr"])
    with pytest.raises(ValidationError, match="ikke til rådighed"):
        await booking.reschedule(hr, first, next_monday(time(18)), 60, "Aften")
    second = await booking.book(hr, supervisor_id=supervisor, starts_at=next_monday(time(14)), minutes=60,
                                session_type="individual", capacity=1, employee_ids=[world.leader_employee],
                                place="Kontoret")
    with pytest.raises(ValidationError, match="optaget"):
        await booking.reschedule(hr, second, next_monday(time(10, 30)), 60, "Tidligere")
    # Moving a session within its own old time is not a clash with itself.
    await booking.reschedule(hr, first, next_monday(time(10, 30)), 90, "En halv time senere")


async def test_the_cut_off_is_configurable_and_binds_leaders_not_hr(world, supervisor, smtp):
    leader = await load_principal(world.accounts["leader"])
    hr = await load_principal(world.accounts["hr"])
    soon = datetime.combine(now().astimezone(TIMEZONE).date() + timedelta(days=3), time(10), TIMEZONE)
    while soon.weekday() > 4:
        soon += timedelta(days=1)
    booking_id = await booking.book(leader, supervisor_id=supervisor, starts_at=soon, minutes=60,
                                    session_type="individual", capacity=1, employee_ids=[world.leader_employee],
                                    place="Kontoret")
    before = get_settings()
    hours_left = int((soon - now()).total_seconds() // 3600)
    set_settings(replace(before, supervision_cutoff_hours=hours_left + 24))
    try:
        with pytest.raises(ValidationError, match=f"mindre end {hours_left + 24} timer"):
            await booking.cancel(leader, booking_id, "Syg")
        with pytest.raises(ValidationError, match="kontakt HR for at flytte"):
            await booking.reschedule(leader, booking_id, soon + timedelta(hours=2), 60, "Senere")
        await booking.reschedule(hr, booking_id, soon + timedelta(hours=2), 60, "HR flytter")
    finally:
        set_settings(before)
    await booking.cancel(leader, booking_id, "Syg")  # with the default 24 hours, still allowed


async def test_one_who_leaves_gets_a_cancellation_and_nobody_else_is_mailed(world, supervisor, smtp):
    booking_id = await book_group(world, supervisor)
    hr = await load_principal(world.accounts["hr"])
    await mails(smtp)
    smtp.envelopes.clear()
    await booking.leave(hr, booking_id, world.staff_employee, "Kursus")
    [message] = await mails(smtp)
    assert message["To"] == World.STAFF
    method, calendar, event = event_of(message)
    assert method == "CANCEL" and str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    row = await Booking.select().where(Booking.id == booking_id).first().run()
    assert row["status"] == "booked" and str(event["UID"]) == row["uid"]
    assert int(event["SEQUENCE"]) == row["sequence"] == 1


async def test_cancelling_sends_everyone_still_on_it_a_cancellation(world, supervisor, smtp):
    booking_id = await book_group(world, supervisor)
    hr = await load_principal(world.accounts["hr"])
    await booking.leave(hr, booking_id, world.staff_employee, "Kursus")
    await mails(smtp)
    smtp.envelopes.clear()
    await booking.cancel(hr, booking_id, "Supervisor syg")
    messages = await mails(smtp)
    assert sorted(m["To"] for m in messages) == sorted(
        {World.LEADER, World.AMR, "ib@test.example", "knud@supervision.example"})
    for message in messages:
        method, _, event = event_of(message)
        assert method == "CANCEL" and int(event["SEQUENCE"]) == 2


def last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


async def test_sessions_keep_their_local_time_across_daylight_saving_changes(world, supervisor, smtp):
    year = now().astimezone(TIMEZONE).year + 1
    hr = await load_principal(world.accounts["hr"])
    summer = datetime.combine(last_sunday(year, 3) + timedelta(days=1), time(10), TIMEZONE)  # Monday after
    winter = datetime.combine(last_sunday(year, 10) + timedelta(days=1), time(10), TIMEZONE)
    ids = [await booking.book(hr, supervisor_id=supervisor, starts_at=at, minutes=60, session_type="individual",
                              capacity=1, employee_ids=[world.leader_employee], place="Kontoret")
           for at in (summer, winter)]
    rows = {r["id"]: r for r in await Booking.select().where(Booking.id.is_in(ids)).run()}
    assert rows[ids[0]]["starts_at"].astimezone(TIMEZONE).utcoffset() == timedelta(hours=2)
    assert rows[ids[0]]["starts_at"].astimezone(TIMEZONE).hour == 10
    assert rows[ids[0]]["starts_at"].utctimetuple().tm_hour == 8
    assert rows[ids[1]]["starts_at"].utctimetuple().tm_hour == 9
    assert rows[ids[1]]["starts_at"].astimezone(TIMEZONE).hour == 10
    # A session at 15:00-16:00 local fits the 8-16 window on both sides of the change.
    for day in (summer, winter):
        assert await booking.within_availability(supervisor, day.replace(hour=15), day.replace(hour=16))
        assert not await booking.within_availability(supervisor, day.replace(hour=15, minute=30),
                                                     day.replace(hour=16, minute=30))
    starts = sorted(event_of(m)[2].decoded("DTSTART") for m in await mails(smtp))
    assert [s.strftime("%H:%MZ") for s in starts] == ["08:00Z", "08:00Z", "09:00Z", "09:00Z"]


async def test_the_calendar_link_is_made_and_switched_off_on_the_page(client, world):
    from tests.conftest import post_form

    await login(client, World.STAFF)
    made = await post_form(client, "/supervision/kalender/link", token_from="/supervision/kalender")
    page = await confirmed(client, made, "Dit personlige kalenderlink", in_place=True)
    assert "/supervision/feed/" in page
    await confirmed(client, await post_form(client, "/supervision/kalender/link/slet"), "Kalenderlinket er slettet")


async def test_the_feed_serves_my_sessions_with_a_secret_link_that_can_be_replaced(app, client, world, supervisor):
    booking_id = await book_group(world, supervisor)
    staff = await load_principal(world.accounts["staff"])
    token = await agenda.new_feed(staff)
    response = await client.get(f"/supervision/feed/{token}.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.text)
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    row = await Booking.select().where(Booking.id == booking_id).first().run()
    assert str(event["UID"]) == row["uid"]
    assert "ATTENDEE" not in event  # the feed names nobody
    newer = await agenda.new_feed(staff)
    assert (await client.get(f"/supervision/feed/{token}")).status_code == 404
    assert (await client.get(f"/supervision/feed/{newer}")).status_code == 200
    # Somebody else's feed shows only their own sessions.
    other = await agenda.new_feed(await load_principal(world.accounts["other"]))
    assert Calendar.from_ical((await client.get(f"/supervision/feed/{other}")).text).walk("VEVENT") == []


async def test_a_leader_moves_a_session_in_the_browser_form_and_bad_input_keeps_the_values(
        app, client, world, supervisor):
    from tests.conftest import post_form

    leader = await load_principal(world.accounts["leader"])
    booking_id = await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(10)), minutes=90,
                                    session_type="group", capacity=4,
                                    employee_ids=[world.leader_employee, world.staff_employee], place="Stuen")
    await login(client, World.LEADER, PASSWORD)
    page = await client.get(f"/supervision/bookinger/{booking_id}")
    assert "Flyt sessionen" in page.text
    bad = await post_form(client, f"/supervision/bookinger/{booking_id}/flyt",
                          {"date": "2099-13-01", "time": "10:00", "minutes": "60", "move_reason": "Ferie"})
    assert bad.status_code == 400 and "Vælg dato og klokkeslæt" in bad.text and "Ferie" in bad.text
    target = next_monday(time(13))
    ok = await post_form(client, f"/supervision/bookinger/{booking_id}/flyt",
                         {"date": target.date().isoformat(), "time": "13:00", "minutes": "60", "move_reason": "Ferie"})
    assert ok.status_code in (302, 303)
    row = await Booking.select().where(Booking.id == booking_id).first().run()
    assert row["starts_at"] == target and row["move_reason"] == "Ferie"
