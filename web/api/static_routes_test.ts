import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { ASSETS } from "../dist/assets.ts";
import { matchesEtag, pickCoding, staticRoutes } from "./static_routes.ts";

const index = ASSETS.find((a) => a.path === "/")!;
/** The entry script; the chunks it imports are walked in tests/dashboard_assets_test.ts. */
const script = ASSETS.find((a) => a.path.startsWith("/assets/app.") && a.path.endsWith(".js"))!;
const style = ASSETS.find((a) => a.path.endsWith(".css"))!;

Deno.test("pickCoding() prefers brotli, then gzip, and honours q=0 and *", () => {
  assert.equal(pickCoding("gzip, deflate, br, zstd"), "br");
  assert.equal(pickCoding("gzip, br;q=0"), "gzip");
  assert.equal(pickCoding("*;q=0.5, br;q=0"), "gzip");
  assert.equal(pickCoding("identity"), "identity");
  assert.equal(pickCoding(undefined), "identity");
  assert.equal(pickCoding("gzip;q=0"), "identity");
});

Deno.test("matchesEtag() compares weakly over a list", () => {
  assert.ok(matchesEtag('"a", W/"b"', '"b"'));
  assert.ok(matchesEtag("*", '"x"'));
  assert.ok(!matchesEtag('"a"', '"b"'));
  assert.ok(!matchesEtag(undefined, '"b"'));
});

Deno.test("staticRoutes() index.html points at the hashed assets and is revalidated, not cached", async () => {
  const app = staticRoutes();
  const response = await app.request("/", { headers: { "accept-encoding": "identity" } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(response.headers.get("cache-control"), "no-cache");
  assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  const html = await response.text();
  assert.ok(html.includes(`src="${script.path}"`), html);
  assert.ok(html.includes(`href="${style.path}"`), html);
  assert.match(script.path, /^\/assets\/app\.[0-9a-f]{12}\.js$/);
});

Deno.test("staticRoutes() serves hashed assets immutable, brotli or gzip by Accept-Encoding, same bytes", async () => {
  const app = staticRoutes();
  const hashed = ASSETS.filter((a) => a.path !== "/");
  assert.ok(hashed.length > 2, "the entry, the CSS and chunks");
  for (const asset of hashed) {
    assert.ok(asset.isImmutable, asset.path);
    assert.match(asset.path, /^\/assets\/\w+\.[0-9a-f]{12}\.(js|css)$/);
    const plain = await app.request(asset.path, { headers: { "accept-encoding": "identity" } });
    const identity = new Uint8Array(await plain.arrayBuffer());
    assert.equal(plain.headers.get("content-encoding"), null);
    assert.equal(plain.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(plain.headers.get("content-type"), asset.contentType);
    assert.equal(plain.headers.get("vary"), "Accept-Encoding");

    const br = await app.request(asset.path, { headers: { "accept-encoding": "gzip, br" } });
    assert.equal(br.headers.get("content-encoding"), "br");
    assert.deepEqual(new Uint8Array(brotliDecompressSync(new Uint8Array(await br.arrayBuffer()))), identity);

    const gz = await app.request(asset.path, { headers: { "accept-encoding": "gzip" } });
    assert.equal(gz.headers.get("content-encoding"), "gzip");
    assert.deepEqual(new Uint8Array(gunzipSync(new Uint8Array(await gz.arrayBuffer()))), identity);
    assert.notEqual(gz.headers.get("etag"), br.headers.get("etag"));
  }
});

Deno.test("staticRoutes() answers 304 to a matching If-None-Match and 404 elsewhere", async () => {
  const app = staticRoutes();
  const first = await app.request(script.path, { headers: { "accept-encoding": "gzip" } });
  const etag = first.headers.get("etag")!;
  await first.body?.cancel();
  const again = await app.request(script.path, {
    headers: { "accept-encoding": "gzip", "if-none-match": etag },
  });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get("etag"), etag);
  assert.equal(await again.text(), "");
  for (const path of ["/assets/app.000000000000.js", "/monitoring", "/index.html", "/api/unknown"]) {
    const missing = await app.request(path);
    assert.equal(missing.status, 404, path);
    await missing.body?.cancel();
  }
  assert.equal(index.isImmutable, false);
});

Deno.test("staticRoutes() answers HEAD without a body", async () => {
  const response = await staticRoutes().request(style.path, { method: "HEAD" });
  assert.equal(response.status, 200);
  assert.equal(response.body, null);
});
