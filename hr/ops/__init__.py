"""What the region's operations team runs the service by: health and readiness, Prometheus
metrics, structured logs with a request id, backups, and the nightly payroll drop folder."""
