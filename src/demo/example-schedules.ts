/** The four example schedules of docs/product.md, as the REST API takes them. */
export const EXAMPLE_SCHEDULES = [
  { label: "daily full sync at 09:00 over 30 days", body: { job_type: "full", frequency: "daily", hour_of_day: 9, date_range_days: 30, enabled: true } },
  { label: "hourly sales sync over the last day", body: { job_type: "sales", frequency: "hourly", hour_of_day: 0, date_range_days: 1, enabled: true } },
  { label: "weekly bills sync on Mondays at 08:00 over 7 days", body: { job_type: "bills", frequency: "weekly", day_of_week: 1, hour_of_day: 8, date_range_days: 7, enabled: true } },
  { label: "monthly full sync on the 1st at 06:00 over 60 days", body: { job_type: "full", frequency: "monthly", day_of_month: 1, hour_of_day: 6, date_range_days: 60, enabled: true } },
] as const;
