import os

from piccolo.conf.apps import AppConfig

from hr.workenv.tables import (
    ActionItem,
    Apv,
    ContributingFactor,
    EsawCode,
    Incident,
    IncidentAbsence,
    IncidentAmendment,
    IncidentFactor,
    IncidentStaff,
    Order,
    OrderDocument,
    ReportingRule,
    WorkChange,
    WorkEnvironmentDiscussion,
)

APP_CONFIG = AppConfig(
    app_name="workenv",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[ContributingFactor, EsawCode, Incident, IncidentAbsence, IncidentStaff, IncidentFactor,
                   IncidentAmendment, ReportingRule, ActionItem, Order, OrderDocument, Apv, WorkChange,
                   WorkEnvironmentDiscussion],
    migration_dependencies=["hr.piccolo_app"],
)
