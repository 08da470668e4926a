/**
 * The shape of one web asset embedded in the program: web/build.ts writes them into web/dist/assets.ts
 * (generated), web/api/static_routes.ts serves them. Shared by both, so the generated module imports no server
 * file.
 */

/** One file of the dashboard, precompressed at build time; bodies are base64 so they live in a TS module. */
export interface EmbeddedAsset {
  /** URL path, e.g. "/" or "/assets/app.3f9c2a7b1e.js". */
  readonly path: string;
  readonly contentType: string;
  /** True for content-hashed files: cached for a year, never revalidated. */
  readonly isImmutable: boolean;
  /** Content hash (hex) of the uncompressed body; the ETag is derived from it per encoding. */
  readonly hash: string;
  readonly identityBase64: string;
  readonly gzipBase64: string;
  readonly brotliBase64: string;
}
