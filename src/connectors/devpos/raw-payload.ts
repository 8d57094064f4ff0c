/**
 * Raw-payload capture: what DevPos actually sent, for diagnosing parsing and amount questions.
 * Off unless `captureRawPayloads` is set; passwords, tokens and the Authorization header are
 * redacted before the sink sees anything.
 */
export interface DevposRawPayload {
  at: Date;
  companyId: number;
  endpoint: string;
  request: { method: string; url: string; headers: Record<string, string>; form?: Record<string, string> };
  status: number;
  /** Parsed JSON when the body was JSON, else the text (first 10,000 characters). */
  body: unknown;
}

export type DevposRawPayloadSink = (payload: DevposRawPayload) => void;
