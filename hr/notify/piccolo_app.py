"""Notifications: the e-mail outbox, reminders and the scheduler's bookkeeping."""

import os

from piccolo.conf.apps import AppConfig

from hr.notify.tables import (
    JobLease,
    JobRun,
    KindSwitch,
    OutboxMessage,
    Preference,
    ReminderLog,
    SchedulerHeartbeat,
)

APP_CONFIG = AppConfig(
    app_name="notify",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[OutboxMessage, ReminderLog, Preference, KindSwitch, JobRun, JobLease, SchedulerHeartbeat],
    migration_dependencies=["hr.piccolo_app"],
)
