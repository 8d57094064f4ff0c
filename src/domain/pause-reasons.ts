/** Why a company's schedules are paused while its QuickBooks grant is refused; a reconnect lifts it. */
export const RECONNECT_QUICKBOOKS = "reconnect QuickBooks";
