#!/bin/sh
# The image's entrypoint. The first argument is the process's role:
#   web        the web service: HR_WORKERS uvicorn workers (default 2), never the scheduler
#   scheduler  the one process that runs reminders, mail, the payroll folder and the nightly jobs
#   migrate    apply the database migrations and exit (run once before web and scheduler start)
#   anything else is an hr command: backup FILE, restore FILE --yes, health, import ..., create-admin ...
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    # The workers' request metrics are summed from files in this folder. Files left from before a
    # restart hold counts of processes that are gone: emptied first, and only of metric files.
    PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/hr-metrics}"
    export PROMETHEUS_MULTIPROC_DIR
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    find "$PROMETHEUS_MULTIPROC_DIR" -maxdepth 1 -type f -name '*.db' -delete
    # Several web workers must not each run the scheduler: that is the scheduler role's work.
    HR_SCHEDULER=off
    export HR_SCHEDULER
    exec hr serve --host "${HR_HOST:-0.0.0.0}" --port "${HR_PORT:-8000}" --workers "${HR_WORKERS:-2}" "$@"
    ;;
  scheduler)
    exec hr scheduler "$@"
    ;;
  migrate)
    exec hr migrate "$@"
    ;;
  *)
    exec hr "$role" "$@"
    ;;
esac
