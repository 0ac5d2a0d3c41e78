"""Competence: the diploma-module catalogue with its course runs, enrolments per employee with
their history and certificates, development plans with goals, the leadership diploma as a
programme, and the yearly leadership cohort with nominations and a waiting list."""

from decimal import Decimal

from piccolo.columns import Boolean, Bytea, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hr.auth.tables import Account
from hr.org.tables import Employee, Institution, Method, TargetGroup


class Module(Table, tablename="competence_module"):
    code = Varchar(length=30, unique=True)
    title = Varchar(length=200)
    ects = Numeric(digits=(4, 1))
    level = Varchar(length=40, default="diplom")
    provider = Varchar(length=200, default="")  # e.g. a university college
    subject_area = Varchar(length=200, default="")
    description = Text(default="")
    active = Boolean(default=True)


class ModuleMethod(Table, tablename="competence_module_method"):
    module = ForeignKey(Module, on_delete=OnDelete.cascade, index=True)
    method = ForeignKey(Method, on_delete=OnDelete.restrict, index=True)


class CourseRun(Table, tablename="competence_course_run"):
    module = ForeignKey(Module, on_delete=OnDelete.cascade, index=True)
    semester = Varchar(length=20)  # e.g. "F2027" (spring), "E2026" (autumn)
    starts_on = Date()
    ends_on = Date()
    place = Varchar(length=200, default="")
    seats = Integer(null=True, default=None)
    price = Numeric(digits=(10, 2), null=True, default=None)
    application_deadline = Date(null=True, default=None, index=True)
    exam_date = Date(null=True, default=None, index=True)


class Plan(Table, tablename="competence_plan"):
    """A competence development plan for one institution and year, or across institutions
    (institution empty)."""

    institution = ForeignKey(Institution, null=True, on_delete=OnDelete.cascade, index=True)
    year = Integer(index=True)
    title = Varchar(length=200)
    created_at = Timestamptz(default=TimestamptzNow())


class PlanGoal(Table, tablename="competence_plan_goal"):
    plan = ForeignKey(Plan, on_delete=OnDelete.cascade, index=True)
    text = Text()
    method = ForeignKey(Method, null=True, on_delete=OnDelete.set_null)
    target_group = ForeignKey(TargetGroup, null=True, on_delete=OnDelete.set_null)
    target_ects = Numeric(digits=(6, 1), default=Decimal("0"))


class Enrolment(Table, tablename="competence_enrolment"):
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    module = ForeignKey(Module, on_delete=OnDelete.restrict, index=True)
    run = ForeignKey(CourseRun, null=True, on_delete=OnDelete.set_null, index=True)
    goal = ForeignKey(PlanGoal, null=True, on_delete=OnDelete.set_null, index=True)
    state = Varchar(length=20, default="planned", index=True)
    applied_on = Date(null=True, default=None)
    enrolled_on = Date(null=True, default=None)
    completed_on = Date(null=True, default=None, index=True)
    grade = Varchar(length=20, default="")  # 7-point scale or "bestået"
    cost = Numeric(digits=(10, 2), null=True, default=None)
    funding = Varchar(length=100, default="")
    created_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class EnrolmentEvent(Table, tablename="competence_enrolment_event"):
    enrolment = ForeignKey(Enrolment, on_delete=OnDelete.cascade, index=True)
    from_state = Varchar(length=20)
    to_state = Varchar(length=20)
    note = Text(default="")
    by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    at = Timestamptz(default=TimestamptzNow())


class Certificate(Table, tablename="competence_certificate"):
    """Evidence of a passed module, checked for type (by content) and size before it is stored."""

    enrolment = ForeignKey(Enrolment, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=50)
    size = Integer()
    data = Bytea()
    uploaded_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class Programme(Table, tablename="competence_programme"):
    """A programme of modules, e.g. the leadership diploma (60 ECTS)."""

    code = Varchar(length=30, unique=True)
    name = Varchar(length=200)
    total_ects = Numeric(digits=(5, 1), default=Decimal("60"))
    elective_ects = Numeric(digits=(5, 1), default=Decimal("0"))


class ProgrammeModule(Table, tablename="competence_programme_module"):
    programme = ForeignKey(Programme, on_delete=OnDelete.cascade, index=True)
    module = ForeignKey(Module, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20)  # obligatory | elective | final


class Cohort(Table, tablename="competence_cohort"):
    """The yearly leadership cohort: HR opens it, heads nominate, HR selects up to capacity."""

    year = Integer(unique=True)
    capacity = Integer(default=20)
    nomination_deadline = Date()
    offer_days = Integer(default=14)  # how long a waiting-list offer stands
    status = Varchar(length=20, default="open")  # open | confirmed
    opened_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Nomination(Table, tablename="competence_nomination"):
    cohort = ForeignKey(Cohort, on_delete=OnDelete.cascade, index=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    institution = ForeignKey(Institution, on_delete=OnDelete.restrict, index=True)
    nominated_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    motivation = Text()
    priority = Integer(default=1)  # the institution's own order of its nominees
    # nominated | selected | waitlisted | offered | declined | withdrawn | rejected
    status = Varchar(length=20, default="nominated", index=True)
    waitlist_position = Integer(null=True, default=None)
    offer_deadline = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
