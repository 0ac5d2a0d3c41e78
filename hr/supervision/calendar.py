"""iCalendar (RFC 5545/5546) for supervision sessions: invitations with METHOD REQUEST or
CANCEL for one recipient at a time (so nobody sees another participant's address), and a
subscribable feed (METHOD PUBLISH). The UID is stable per booking and SEQUENCE grows with
every change, so calendar programs update or remove the event they already have."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from hr.db import now
from hr.notify.outbox import sender_address

PRODID = "-//Region Socialområdet//HR supervision//DA"
TYPES = {"group": "Gruppesupervision", "individual": "Individuel supervision"}


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    return address


def event(booking: dict, *, cancelled: bool = False, attendee: tuple[str, str] | None = None,
          stamp: datetime | None = None) -> Event:
    item = Event()
    item.add("uid", booking["uid"])
    item.add("sequence", booking["sequence"])
    item.add("dtstamp", stamp or now())
    item.add("dtstart", booking["starts_at"])
    item.add("dtend", booking["ends_at"])
    item.add("summary", f"{TYPES.get(booking['session_type'], 'Supervision')} med {booking['supervisor_name']}")
    location = booking.get("place") or booking.get("video_link") or ""
    if location:
        item.add("location", location)
    if booking.get("video_link"):
        item.add("url", booking["video_link"])
        item.add("description", f"Videolink: {booking['video_link']}")
    item.add("status", "CANCELLED" if cancelled or booking["status"] == "cancelled" else "CONFIRMED")
    organizer_name, organizer_email = sender_address()
    item.add("organizer", _address(organizer_name or "HR", organizer_email or "hr@invalid"))
    if attendee:
        address = _address(*attendee)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("FALSE")
        item.add("attendee", address)
    return item


def invitation(booking: dict, method: str, attendee: tuple[str, str]) -> str:
    """A REQUEST (new or changed) or CANCEL for one recipient."""
    calendar = _calendar(method)
    calendar.add_component(event(booking, cancelled=method == "CANCEL", attendee=attendee))
    return calendar.to_ical().decode("utf-8")


def feed(bookings: list[dict], name: str) -> str:
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", f"Supervision – {name}")
    calendar.add("x-wr-timezone", "Europe/Copenhagen")
    stamp = now()
    for booking in bookings:
        calendar.add_component(event(booking, stamp=stamp))
    return calendar.to_ical().decode("utf-8")
