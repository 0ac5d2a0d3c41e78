"""Supervision: supervisors with the methods they know and the institutions they serve,
approved exceptions to the matching rule, and supervision requirements as data."""


from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hr.auth.tables import Account
from hr.org.tables import Employee, Institution, Method, Unit


class Supervisor(Table, tablename="supervision_supervisor"):
    """An internal or external supervisor; may have a login (account) or not."""

    name = Varchar(length=200)
    email = Varchar(length=254, default="")
    phone = Varchar(length=40, default="")
    organisation = Varchar(length=200, default="")
    external = Boolean(default=True)
    fee_per_session = Numeric(digits=(10, 2), null=True, default=None)
    account = ForeignKey(Account, null=True, on_delete=OnDelete.set_null, index=True)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class SupervisorMethod(Table, tablename="supervision_supervisor_method"):
    supervisor = ForeignKey(Supervisor, on_delete=OnDelete.cascade, index=True)
    method = ForeignKey(Method, on_delete=OnDelete.restrict, index=True)


class SupervisorInstitution(Table, tablename="supervision_supervisor_institution"):
    supervisor = ForeignKey(Supervisor, on_delete=OnDelete.cascade, index=True)
    institution = ForeignKey(Institution, on_delete=OnDelete.cascade, index=True)


class MatchException(Table, tablename="supervision_match_exception"):
    """HR approves a supervisor for an institution whose methods they do not know, with a reason."""

    supervisor = ForeignKey(Supervisor, on_delete=OnDelete.cascade, index=True)
    institution = ForeignKey(Institution, on_delete=OnDelete.cascade, index=True)
    reason = Text()
    approved_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    approved_at = Timestamptz(default=TimestamptzNow())


class Requirement(Table, tablename="supervision_requirement"):
    """How often supervision is required, for staff or leaders; a unit row overrides its
    institution's, which overrides the region-wide default (both empty)."""

    audience = Varchar(length=20)  # staff | leader
    session_type = Varchar(length=20)  # individual | group | any
    interval_days = Integer()
    institution = ForeignKey(Institution, null=True, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(Unit, null=True, on_delete=OnDelete.cascade, index=True)
    grace_days = Integer(default=90)  # new hires and returns from leave
    valid_from = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class Availability(Table, tablename="supervision_availability"):
    """A recurring weekly window in Danish local time (minutes after midnight)."""

    supervisor = ForeignKey(Supervisor, on_delete=OnDelete.cascade, index=True)
    weekday = Integer()  # 0 Monday .. 6 Sunday
    start_minute = Integer()
    end_minute = Integer()


class AvailabilityException(Table, tablename="supervision_availability_exception"):
    """A day the supervisor is not available (holiday, illness)."""

    supervisor = ForeignKey(Supervisor, on_delete=OnDelete.cascade, index=True)
    day = Date(index=True)
    note = Varchar(length=200, default="")


class Booking(Table, tablename="supervision_booking"):
    """A supervision session. Times are stored in UTC; shown in Europe/Copenhagen."""

    supervisor = ForeignKey(Supervisor, on_delete=OnDelete.restrict, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    session_type = Varchar(length=20)  # individual | group
    capacity = Integer(default=1)
    institution = ForeignKey(Institution, null=True, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict, index=True)
    place = Varchar(length=200, default="")
    video_link = Varchar(length=500, default="")
    status = Varchar(length=20, default="booked", index=True)  # booked | cancelled
    booked_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    uid = Varchar(length=100, unique=True)  # stable iCalendar UID
    sequence = Integer(default=0)
    cancel_reason = Text(default="")
    cancelled_at = Timestamptz(null=True, default=None)
    move_reason = Text(default="")
    moved_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class BookingParticipant(Table, tablename="supervision_booking_participant"):
    booking = ForeignKey(Booking, on_delete=OnDelete.cascade, index=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=20, default="active")  # active | cancelled
    attended = Boolean(null=True, default=None)
    cancel_reason = Text(default="")
    cancelled_at = Timestamptz(null=True, default=None)


class CalendarFeed(Table, tablename="supervision_calendar_feed"):
    """A person's secret calendar-subscription link; only the token's hash is stored."""

    account = ForeignKey(Account, unique=True, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
