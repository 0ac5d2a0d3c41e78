"""Competence: diploma modules, competence development plans and the leadership cohort."""
