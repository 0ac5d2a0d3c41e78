"""Competence: diploma modules, enrolments, plans, the leadership programme and cohorts."""

import os

from piccolo.conf.apps import AppConfig

from hr.competence.tables import (
    Certificate,
    Cohort,
    CourseRun,
    Enrolment,
    EnrolmentEvent,
    Module,
    ModuleMethod,
    Nomination,
    Plan,
    PlanGoal,
    Programme,
    ProgrammeModule,
)

APP_CONFIG = AppConfig(
    app_name="competence",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Module, ModuleMethod, CourseRun, Plan, PlanGoal, Enrolment, EnrolmentEvent, Certificate,
                   Programme, ProgrammeModule, Cohort, Nomination],
    migration_dependencies=["hr.piccolo_app"],
)
