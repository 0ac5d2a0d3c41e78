"""Work-environment records: incidents (near miss, accident, violence/threats, use of force),
their follow-up and action items, dated reporting rules, orders (påbud), APVs and the yearly
work-environment discussion."""

from piccolo.columns import (
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hr.auth.tables import Account
from hr.org.tables import Employee, Institution, Unit


class ContributingFactor(Table, tablename="workenv_factor"):
    """A maintained list of contributing factors."""

    name = Varchar(length=120, unique=True)
    active = Boolean(default=True)


class Incident(Table, tablename="workenv_incident"):
    kind = Varchar(length=20, index=True)  # near_miss | accident | violence | use_of_force
    status = Varchar(length=20, default="draft", index=True)  # draft | submitted | reviewed | closed
    occurred_at = Timestamptz(null=True, default=None, index=True)
    institution = ForeignKey(Institution, null=True, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict, index=True)
    place_type = Varchar(length=40, default="")
    place_detail = Varchar(length=200, default="")
    reporter = ForeignKey(Account, null=True, on_delete=OnDelete.set_null, index=True)
    reporter_identity_shared = Boolean(default=False)
    citizen_pseudonym = Varchar(length=20, default="", index=True)
    violence_type = Varchar(length=20, default="")  # a key of choices.VIOLENCE_TYPES
    description = Text(default="")
    antecedents = Text(default="")
    escalation = Text(default="")
    immediate_action = Text(default="")
    severity = SmallInt(null=True, default=None)  # 1 none .. 4 serious
    # Work accidents
    injury_type = Varchar(length=60, default="")
    body_part = Varchar(length=60, default="")
    expected_absence = Varchar(length=20, default="")
    # Absence (accidents, and violence or threats that cause absence), kept from the periods in
    # IncidentAbsence for the deadlines, the statistics and the retention rules: the days of the
    # ended periods (None: nothing recorded), the first day, and the first day of the period
    # still running (None: nobody is absent now). hr.workenv.deadlines.absence_days counts them.
    absence_days = Integer(null=True, default=None)
    first_absence_date = Date(null=True, default=None)
    absent_since = Date(null=True, default=None)
    # What EASY asks of a work accident (BEK 799/2022, annex 1) beyond the report: the injured
    # person's occupation and employment, and the ESAW codes (hr.workenv.esaw) of the course of events.
    injured_employee = ForeignKey(Employee, null=True, on_delete=OnDelete.set_null)
    occupation = Varchar(length=120, default="")
    employment_type = Varchar(length=20, default="")
    employed_since = Date(null=True, default=None)
    deviation_code = Varchar(length=10, default="")
    contact_code = Varchar(length=10, default="")
    material_agent_code = Varchar(length=10, default="")
    injury_code = Varchar(length=10, default="")
    body_part_code = Varchar(length=10, default="")
    easy_reference = Varchar(length=60, default="")
    easy_reported_at = Timestamptz(null=True, default=None)
    easy_reported_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    insurer_reported_at = Timestamptz(null=True, default=None)
    # Use of force (the official form stays in the care-record system)
    legal_framework = Varchar(length=20, default="")  # adult | child
    force_category = Varchar(length=40, default="")
    form_reference = Varchar(length=60, default="", index=True)
    form_registered_on = Date(null=True, default=None)
    forwarded_municipality_on = Date(null=True, default=None)
    forwarded_supervisory_on = Date(null=True, default=None)
    # Adults' pre-approved measures (alarms, door locks, belts): one combined registration with the
    # estimated count of uses, made when the approval expires.
    approval_expires_on = Date(null=True, default=None)
    estimated_count = Integer(null=True, default=None)
    # Children (voksenansvarsloven): the holders of parental responsibility are told, when and by whom.
    parents_informed_at = Timestamptz(null=True, default=None)
    parents_informed_by = Varchar(length=120, default="")
    # Follow-up by the leader
    reviewed_at = Timestamptz(null=True, default=None)
    reviewed_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    causes = Text(default="")
    learning_point = Text(default="")
    # Psychological first aid after violence or threats, two steps, each offered, declined or
    # held (hr.workenv.support), and by whom it was held.
    defusing_offered_at = Timestamptz(null=True, default=None)
    defusing_declined_at = Timestamptz(null=True, default=None)
    defusing_held_at = Timestamptz(null=True, default=None)
    defusing_by = Varchar(length=120, default="")
    debriefing_offered_at = Timestamptz(null=True, default=None)
    debriefing_declined_at = Timestamptz(null=True, default=None)
    debriefing_held_at = Timestamptz(null=True, default=None)
    debriefing_by = Varchar(length=120, default="")
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None, index=True)
    source = Varchar(length=20, default="form")  # form | care_record_import
    anonymised_at = Timestamptz(null=True, default=None)  # retention: personal details removed


class EsawCode(Table, tablename="workenv_esaw_code"):
    """The EU's ESAW code lists as dated reference data, loaded from hr/workenv/reference/esaw.json
    by a migration; a new edition is new rows with their valid_from, the old ones given a valid_to."""

    code_list = Varchar(length=20, index=True)  # deviation | contact | material_agent | injury | body_part
    code = Varchar(length=10)
    label = Varchar(length=200)
    valid_from = Date()
    valid_to = Date(null=True, default=None)
    source = Varchar(length=300, default="")


class IncidentAbsence(Table, tablename="workenv_incident_absence"):
    """One period of absence after an incident: from, to (inclusive), or still absent (no end)."""

    incident = ForeignKey(Incident, on_delete=OnDelete.cascade, index=True)
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    recorded_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz(default=TimestamptzNow())


class IncidentStaff(Table, tablename="workenv_incident_staff"):
    incident = ForeignKey(Incident, on_delete=OnDelete.cascade, index=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)


class IncidentFactor(Table, tablename="workenv_incident_factor"):
    incident = ForeignKey(Incident, on_delete=OnDelete.cascade, index=True)
    factor = ForeignKey(ContributingFactor, on_delete=OnDelete.restrict, index=True)


class IncidentAmendment(Table, tablename="workenv_incident_amendment"):
    """A submitted report changes only through these logged amendments."""

    incident = ForeignKey(Incident, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    at = Timestamptz(default=TimestamptzNow())
    field = Varchar(length=40)
    old_value = Text(default="")
    new_value = Text(default="")
    reason = Text(default="")


class ReportingRule(Table, tablename="workenv_reporting_rule"):
    """Deadlines from law and from local policy as dated data: the rule in force on the
    day of the episode is the active row of its kind with the latest valid_from."""

    kind = Varchar(length=40, index=True)
    valid_from = Date()
    threshold_days = Integer(default=0)
    deadline_days = Integer(default=0)
    deadline_hours = Integer(default=0)
    opens_after_hours = Integer(default=0)  # a window: not before this many hours (debriefing)
    working_days = Boolean(default=False)
    # Counted from the last day of the episode's month: a monthly report (children's use of force).
    from_month_end = Boolean(default=False)
    active = Boolean(default=True)
    source = Varchar(length=200, default="")
    note = Text(default="")


class ActionItem(Table, tablename="workenv_action_item"):
    """One model of action items for episode follow-up, APV action plans and orders."""

    source_type = Varchar(length=20, index=True)  # incident | apv | order | discussion
    source_id = Integer(index=True)
    institution = ForeignKey(Institution, null=True, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict, index=True)
    problem = Text(default="")
    measure = Text(default="")
    priority = SmallInt(default=2)  # 1 high .. 3 low
    owner = ForeignKey(Account, null=True, on_delete=OnDelete.set_null, index=True)
    deadline = Date(null=True, default=None, index=True)
    effect_check = Text(default="")
    status = Varchar(length=20, default="open", index=True)  # open | done
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    closing_note = Text(default="")


class Order(Table, tablename="workenv_order"):
    """An order (påbud) or guidance from the labour inspectorate."""

    case_number = Varchar(length=60, index=True)
    received_on = Date()
    order_type = Varchar(length=40)
    rule_breached = Varchar(length=200, default="")
    description = Text(default="")
    institution = ForeignKey(Institution, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict)
    compliance_deadline = Date(null=True, default=None)
    reply_deadline = Date(null=True, default=None)
    responsible = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    amo_informed_on = Date(null=True, default=None)
    reply_sent_on = Date(null=True, default=None)
    closed_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class OrderDocument(Table, tablename="workenv_order_document"):
    """A document of an order: the inspectorate's letter, the reply, evidence of compliance
    (checked as certificates are: hr.uploads)."""

    order = ForeignKey(Order, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=50)
    size = Integer()
    data = Bytea()
    uploaded_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class Apv(Table, tablename="workenv_apv"):
    """A workplace assessment (APV) of a unit, in its five phases."""

    institution = ForeignKey(Institution, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(Unit, on_delete=OnDelete.restrict, index=True)
    started_on = Date()
    mapping_done_on = Date(null=True, default=None)
    assessment_done_on = Date(null=True, default=None)
    absence_reviewed_on = Date(null=True, default=None)
    action_plan_done_on = Date(null=True, default=None)
    followup_rules = Text(default="")
    completed_on = Date(null=True, default=None, index=True)
    created_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)


class WorkChange(Table, tablename="workenv_work_change"):
    """The work of a unit has changed in a way that matters to the work environment (new methods,
    target group, premises, staffing): its APV is to be revised, whatever its age."""

    unit = ForeignKey(Unit, on_delete=OnDelete.restrict, index=True)
    changed_on = Date()
    description = Text(default="")
    created_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class WorkEnvironmentDiscussion(Table, tablename="workenv_discussion"):
    """The yearly work-environment discussion (arbejdsmiljødrøftelse) of an institution."""

    institution = ForeignKey(Institution, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    held_on = Date()
    participants = Text(default="")
    evaluation = Text(default="")
    goals = Text(default="")
    competence_plan = Text(default="")
    created_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
