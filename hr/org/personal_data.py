"""The right of access: everything the service holds about one employee, as JSON. The password
hash, session tokens and other people's personal data are never included; an episode the
employee is named in shows its kind, time and unit, not the reporter's text about others."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hr.audit import AuditEvent
from hr.auth.tables import Account, RoleAssignment
from hr.competence.tables import Enrolment, Nomination
from hr.notify.tables import Preference, ReminderLog
from hr.org.tables import Employee, EmployeeLeave
from hr.supervision.tables import BookingParticipant
from hr.workenv.tables import Incident, IncidentStaff


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


async def personal_data(employee_id: int) -> dict | None:
    employee = await Employee.select(Employee.all_columns(), Employee.unit.name.as_alias("unit_name"),
                                     Employee.manager.name.as_alias("manager_name")).where(
        Employee.id == employee_id).first().run()
    if not employee:
        return None
    account = await Account.select(Account.id, Account.email, Account.name, Account.active, Account.created_at,
                                   Account.last_login_at).where(Account.employee == employee_id).first().run()
    account_id = account["id"] if account else -1
    roles = await RoleAssignment.select(RoleAssignment.role, RoleAssignment.institution.name.as_alias("institution"),
                                        RoleAssignment.unit.name.as_alias("unit"),
                                        RoleAssignment.staff_responsibility).where(
        RoleAssignment.account == account_id).run()
    reported = await Incident.select(
        Incident.id, Incident.kind, Incident.status, Incident.occurred_at, Incident.unit.name.as_alias("unit"),
        Incident.description, Incident.severity, Incident.injury_type, Incident.absence_days,
        Incident.submitted_at, Incident.anonymised_at).where(Incident.reporter == account_id).order_by(
        Incident.occurred_at).run()
    named = await IncidentStaff.select(IncidentStaff.incident.as_alias("id"),
                                       IncidentStaff.incident.kind.as_alias("kind"),
                                       IncidentStaff.incident.occurred_at.as_alias("occurred_at"),
                                       IncidentStaff.incident.unit.name.as_alias("unit")).where(
        IncidentStaff.employee == employee_id).run()
    supervision = await BookingParticipant.select(
        BookingParticipant.booking.starts_at.as_alias("starts_at"),
        BookingParticipant.booking.session_type.as_alias("session_type"),
        BookingParticipant.booking.supervisor.name.as_alias("supervisor"),
        BookingParticipant.booking.status.as_alias("booking_status"), BookingParticipant.status,
        BookingParticipant.attended).where(BookingParticipant.employee == employee_id).order_by(
        BookingParticipant.booking.starts_at).run()
    enrolments = await Enrolment.select(
        Enrolment.module.code.as_alias("module"), Enrolment.module.title.as_alias("title"), Enrolment.state,
        Enrolment.applied_on, Enrolment.enrolled_on, Enrolment.completed_on, Enrolment.grade, Enrolment.cost,
        Enrolment.funding).where(Enrolment.employee == employee_id).run()
    nominations = await Nomination.select(Nomination.cohort.year.as_alias("year"), Nomination.status,
                                          Nomination.motivation, Nomination.created_at).where(
        Nomination.employee == employee_id).run()
    return _plain({
        "generated_at": datetime.now().astimezone(),
        "employee": {k: v for k, v in employee.items() if k not in ("manager",)},
        "account": account, "roles": roles,
        "leave": await EmployeeLeave.select(EmployeeLeave.starts_on, EmployeeLeave.ends_on, EmployeeLeave.kind).where(
            EmployeeLeave.employee == employee_id).run(),
        "work_environment": {"reported": reported, "named_as_involved": named},
        "supervision": supervision,
        "competence": {"enrolments": enrolments, "leadership_nominations": nominations},
        "notifications": {
            "preference": await Preference.select(Preference.mode, Preference.muted_kinds).where(
                Preference.account == account_id).first().run(),
            "reminders": await ReminderLog.select(ReminderLog.kind, ReminderLog.title, ReminderLog.created_at).where(
                ReminderLog.account == account_id).order_by(ReminderLog.created_at).run()},
        "activity_log": await AuditEvent.select(AuditEvent.at, AuditEvent.action, AuditEvent.entity,
                                                AuditEvent.entity_id).where(AuditEvent.account == account_id).order_by(
            AuditEvent.at, ascending=False).limit(1000).run(),
    })
