import os

from piccolo.conf.apps import AppConfig

from hr.supervision.tables import (
    Availability,
    AvailabilityException,
    Booking,
    BookingParticipant,
    CalendarFeed,
    MatchException,
    Requirement,
    Supervisor,
    SupervisorInstitution,
    SupervisorMethod,
)

APP_CONFIG = AppConfig(
    app_name="supervision",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Supervisor, SupervisorMethod, SupervisorInstitution, MatchException, Requirement,
                   Availability, AvailabilityException, Booking, BookingParticipant, CalendarFeed],
    migration_dependencies=["hr.piccolo_app"],
)
