/**
 * Every API address the dashboard calls, in one place, so a renamed route is a one-line change.
 * Routes that had not landed when this was written follow issue 7's documented shape; see the
 * notes next to them.
 */
export const paths = {
  me: "/api/auth/me",
  companies: "/api/companies",
  company: (id: number) => `/api/companies/${id}`,
  companySchedules: (id: number) => `/api/companies/${id}/schedules`,
  companyRuns: (id: number) => `/api/companies/${id}/runs`,
  companyDocuments: (id: number) => `/api/companies/${id}/documents`,
  companyStats: (id: number) => `/api/companies/${id}/stats`,
  devpos: (id: number) => `/api/companies/${id}/devpos`,
  devposTest: (id: number) => `/api/companies/${id}/devpos/test`,
  qbo: (id: number) => `/api/companies/${id}/qbo`,
  qboConnect: (id: number) => `/api/companies/${id}/qbo/connect`,
  qboDisconnect: (id: number) => `/api/companies/${id}/qbo/disconnect`,
  qboIncomeItems: (id: number) => `/api/companies/${id}/qbo/income-items`,
  qboExpenseAccounts: (id: number) => `/api/companies/${id}/qbo/expense-accounts`,
  qboTaxCodes: (id: number) => `/api/companies/${id}/qbo/tax-codes`,
  qboRecheck: (id: number) => `/api/companies/${id}/qbo/recheck`,
  schedules: "/api/schedules",
  schedule: (id: number) => `/api/schedules/${id}`,
  scheduleToggle: (id: number) => `/api/schedules/${id}/toggle`,
  runs: "/api/runs",
  run: (id: number) => `/api/runs/${id}`,
  runItems: (id: number) => `/api/runs/${id}/items`,
  runEvents: (id: number) => `/api/runs/${id}/events`,
  runCancel: (id: number) => `/api/runs/${id}/cancel`,
  users: "/api/users",
  user: (id: number) => `/api/users/${id}`,
  userCompany: (id: number, companyId: number) => `/api/users/${id}/companies/${companyId}`,
  apiKeys: "/api/api-keys",
  apiKey: (id: number) => `/api/api-keys/${id}`,
  audit: "/api/audit",
} as const;
