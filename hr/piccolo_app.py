"""The core Piccolo app: organisation, accounts and audit. Domains have their own apps."""

import os

from piccolo.conf.apps import AppConfig

from hr.audit import AuditEvent
from hr.auth.tables import (
    Account,
    ApiToken,
    LoginAttempt,
    PasswordLink,
    PendingSignIn,
    RoleAssignment,
    Session,
    SignInConflict,
)
from hr.org.tables import (
    Employee,
    EmployeeLeave,
    Institution,
    InstitutionMethod,
    InstitutionTargetGroup,
    Method,
    PayrollFile,
    TargetGroup,
    Unit,
)

APP_CONFIG = AppConfig(
    app_name="hr",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Method,
        TargetGroup,
        Institution,
        InstitutionMethod,
        InstitutionTargetGroup,
        Unit,
        Employee,
        EmployeeLeave,
        PayrollFile,
        Account,
        RoleAssignment,
        Session,
        LoginAttempt,
        ApiToken,
        PendingSignIn,
        PasswordLink,
        SignInConflict,
        AuditEvent,
    ],
)
