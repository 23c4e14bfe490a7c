// The headers every response of the Isolated Web App carries, in the Signed Web Bundle and from
// the development server of the tests: the CSP Chrome enforces in IWAs (Trusted Types required,
// no eval, https:/wss: connections only), narrowed to what the app uses, and cross-origin
// isolation (COOP/COEP/CORP).
export const contentSecurityPolicy = [
  "base-uri 'none'",
  "default-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "connect-src 'self' https: wss:",
  "script-src 'self' 'wasm-unsafe-eval'",
  "img-src 'self' data:",
  "media-src 'none'",
  "font-src 'self'",
  "style-src 'self'",
  "require-trusted-types-for 'script'",
  "trusted-types kamusm-loader",
  "frame-ancestors 'self'",
].join("; ");

export const isolationHeaders = {
  "content-security-policy": contentSecurityPolicy,
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".webmanifest": "application/manifest+json",
  ".json": "application/json",
};

export function contentType(path) {
  const dot = path.lastIndexOf(".");
  const type = types[path.slice(dot)];
  if (!type) throw new Error(`no content type for ${path}`);
  return type;
}
