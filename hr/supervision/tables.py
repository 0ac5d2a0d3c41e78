"""Supervision: supervisors with the methods they know and the institutions they serve,
approved exceptions to the matching rule, and supervision requirements as data."""


from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hr.auth.tables import Account
from hr.org.tables import Institution, Method, Unit


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


