"""Work environment: incident reporting, follow-up, orders (påbud) and workplace assessments (APV)."""
