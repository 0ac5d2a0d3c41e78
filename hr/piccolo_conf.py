"""Piccolo's configuration: the engine comes from HR_DATABASE_URL."""

from piccolo.conf.apps import AppRegistry

from hr.db import make_engine
from hr.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(apps=["hr.piccolo_app", "hr.workenv.piccolo_app", "hr.supervision.piccolo_app",
                                   "hr.notify.piccolo_app", "hr.competence.piccolo_app"])
