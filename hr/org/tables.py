from decimal import Decimal

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Method(Table, tablename="org_method"):
    """A professional method (KRAP, Low Arousal, TEACCH ...): a maintained list."""

    name = Varchar(length=100, unique=True)
    description = Text(default="")
    active = Boolean(default=True)


class TargetGroup(Table, tablename="org_target_group"):
    name = Varchar(length=150, unique=True)


class Institution(Table, tablename="org_institution"):
    code = Varchar(length=20, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=100, default="")
    places = Integer(default=0)
    active = Boolean(default=True)


class InstitutionMethod(Table, tablename="org_institution_method"):
    institution = ForeignKey(Institution, on_delete=OnDelete.cascade, index=True)
    method = ForeignKey(Method, on_delete=OnDelete.restrict, index=True)


class InstitutionTargetGroup(Table, tablename="org_institution_target_group"):
    institution = ForeignKey(Institution, on_delete=OnDelete.cascade, index=True)
    target_group = ForeignKey(TargetGroup, on_delete=OnDelete.restrict)


class Unit(Table, tablename="org_unit"):
    code = Varchar(length=30, unique=True)
    name = Varchar(length=200)
    institution = ForeignKey(Institution, on_delete=OnDelete.restrict, index=True)
    active = Boolean(default=True)


class Employee(Table, tablename="org_employee"):
    """An employment as payroll knows it. Identified by employee number, never CPR."""

    employee_number = Varchar(length=30, unique=True)
    name = Varchar(length=200)
    email = Varchar(length=254, null=True, default=None, index=True)
    job_title = Varchar(length=150, default="")
    fte = Numeric(digits=(5, 4), default=Decimal("1"))
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    unit = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict, index=True)
    manager = ForeignKey("self", null=True, on_delete=OnDelete.set_null)
    # What payroll says this person leads: "unit" (their own unit) or "institution" (the head of
    # their unit's institution); the leader role follows from it (hr/auth/org_rights.py).
    leads = Varchar(length=20, default="")
    active = Boolean(default=True, index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class EmployeeLeave(Table, tablename="org_employee_leave"):
    """A period of leave (parental, long-term sick, unpaid); open-ended while `ends_on` is empty.
    Supervision requirements pause during leave and give a grace period after it."""

    employee = ForeignKey(Employee, on_delete=OnDelete.cascade, index=True)
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    kind = Varchar(length=40, default="orlov")
    created_at = Timestamptz(default=TimestamptzNow())


class PayrollFile(Table, tablename="org_payroll_file"):
    """Each file the payroll folder delivered, imported or refused (hr/org/payroll_drop.py): the
    limit on leavers counts the last 24 hours' files together, and a refused file waits on HR's
    front page, with what it would have changed, until HR has seen it."""

    name = Varchar(length=300)
    received_at = Timestamptz(default=TimestamptzNow(), index=True)
    imported = Boolean(default=False)
    active_before = Integer(default=0)  # active employees before this file
    deactivated = Integer(default=0)  # leavers it marked (imported) or would have marked (refused)
    reason = Text(default="")  # why it was refused
    would_change = Text(default="")  # what it would have changed, for HR
    seen_at = Timestamptz(null=True, default=None, index=True)
    seen_by = Varchar(length=254, default="")
