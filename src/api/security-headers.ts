/**
 * The Content-Security-Policy of every answer (helmet sets it). The dashboard is a built
 * bundle served from this origin, so scripts, styles and API calls come from 'self' only; no
 * inline script or style is allowed (React sets styles through the DOM, which CSP permits).
 * The one page with inline code, the QuickBooks callback, gets per-request nonces
 * (routes/qbo.ts). `upgrade-insecure-requests` is left out: devsync may be served over plain
 * http on a LAN, where it would break every asset. test/e2e/dashboard.e2e.test.ts runs the
 * whole dashboard under this policy and fails on any violation.
 */
export const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    "default-src": ["'self'"],
    "base-uri": ["'self'"],
    "connect-src": ["'self'"],
    "font-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "script-src": ["'self'"],
    "script-src-attr": ["'none'"],
    "style-src": ["'self'"],
  },
};
