"use strict";
// The pure helpers of util.js: URLs, the server's answers, the countdown text.

const assert = require("node:assert/strict");
const { describe, test } = require("node:test");
const { load, names, plain } = require("./load");

const js = load(["util.js"]);
const N = names();

function cases(title, fn, table) {
  describe(title, () => {
    for (const [name, args, expected] of table) {
      test(name, () => assert.deepStrictEqual(plain(fn(...args)), expected));
    }
  });
}

cases("withParam", (...a) => js.withParam(...a), [
  ["adds the first parameter", ["/login", "came_from", "/app/orders?x=1"],
   "/login?came_from=%2Fapp%2Forders%3Fx%3D1"],
  ["adds to a query", ["/login?lang=en", "came_from", "/a"], "/login?lang=en&came_from=%2Fa"],
  ["replaces the same parameter", ["/login?came_from=%2Fold&x=1", "came_from", "/new"],
   "/login?came_from=%2Fnew&x=1"],
  ["keeps the fragment last", ["/login#top", "next", "/a"], "/login?next=%2Fa#top"],
  ["escapes a name with regex characters", ["/l?a.b=1", "a+b", "2"], "/l?a.b=1&a%2Bb=2"],
]);

cases("isSafeLoginUrl", (url) => js.isSafeLoginUrl(url), [
  ["a path", ["/login"], true],
  ["a mounted path", ["/portal/login?came_from=%2F"], true],
  ["https", ["https://sso.example.com/login"], true],
  ["protocol-relative", ["//evil.example.com/login"], false],
  ["javascript", ["javascript:alert(1)"], false],
  ["relative", ["login"], false],
  ["not a string", [null], false],
]);

cases("endpointOfScriptPath", (path) => js.endpointOfScriptPath(path), [
  ["the default prefix", ["/_session/client.js"], "/_session"],
  ["a mount and a custom prefix", ["/portal/auth/session-api/client.js"],
   "/portal/auth/session-api"],
  ["no leading slash (old browsers' pathname)", ["portal/_session/client.js"],
   "/portal/_session"],
  ["a copy served elsewhere", ["/static/session.js"], null],
  ["a name that only ends like it", ["/_session/myclient.js"], null],
]);

cases("isScriptUrl", (url) => js.isScriptUrl(url), [
  ["plain", ["http://h/_session/client.js"], true],
  ["with a query", ["http://h/x/client.js?v=2"], true],
  ["with a fragment", ["/x/client.js#a"], true],
  ["another script", ["http://h/client.jsx"], false],
  ["no src", [""], false],
]);

// The endpoints are at <mount><endpoint_prefix>; login and logout default to <mount>/login
// and <mount>/logout. The prefix need not be /_session.
cases("mountOf", (endpoint, prefix) => js.mountOf(endpoint, prefix), [
  ["default prefix at the root", ["/_session", "/_session"], ""],
  ["default prefix under a mount", ["/portal/_session", "/_session"], "/portal"],
  ["custom prefix at the root", ["/auth/session-api", "/auth/session-api"], ""],
  ["custom prefix under a mount", ["/portal/auth/session-api", "/auth/session-api"], "/portal"],
  ["a trailing slash", ["/portal/auth/session-api/", "/auth/session-api"], "/portal"],
  ["a prefix that is the mount's name too", ["/auth/auth", "/auth"], "/auth"],
  ["only whole segments", ["/portal/xauth/session-api", "/auth/session-api"], ""],
  ["an endpoint configured elsewhere", ["/elsewhere", "/_session"], ""],
  ["no prefix known", ["/portal/_session", ""], ""],
]);

cases("headerSeconds", (value) => js.headerSeconds(value), [
  ["seconds", ["600"], 600],
  ["zero", ["0"], 0],
  ["spaces", [" 42 "], 42],
  ["negative", ["-1"], null],
  ["a fraction", ["1.5"], null],
  ["empty", [""], null],
  ["absent", [null], null],
  ["undefined", [undefined], null],
]);

cases("mayBeExpiry (status, content type, Session-Expires-In, length)",
      (...a) => js.mayBeExpiry(...a), [
  ["401 JSON", [401, "application/problem+json", null, "120"], true],
  ["419 JSON", [419, "application/json", null, null], true],
  ["200 JSON without the header (an envelope)", [200, "application/json", null, null], true],
  ["200 JSON with the header (signed in)", [200, "application/json", "600", null], false],
  ["401 HTML", [401, "text/html", null, null], false],
  ["no content type", [401, null, null, null], false],
  ["a big body", [401, "application/json", null, "65537"], false],
  ["just small enough", [401, "application/json", null, "65536"], true],
  ["302", [302, "application/json", null, null], false],
  ["204", [204, "application/json", null, null], false],
]);

describe("expiryFromDocument", () => {
  const doc = (extra) => Object.assign({ error: N.SESSION_EXPIRED, reason: N.IDLE,
                                         login_url: "/login?came_from=%2F" }, extra);
  const expiry = (status, d) => plain(js.expiryFromDocument(status, d));

  test("an expired session", () => {
    assert.deepStrictEqual(expiry(401, doc()), {
      error: N.SESSION_EXPIRED, reason: N.IDLE, loginUrl: "/login?came_from=%2F" });
  });
  test("no session at all", () => {
    assert.equal(expiry(401, doc({ error: N.LOGIN_REQUIRED, reason: undefined })).error,
                 N.LOGIN_REQUIRED);
  });
  test("a reason that is not a string is dropped", () => {
    assert.equal(expiry(401, doc({ reason: 5 })).reason, null);
  });
  test("an unsafe login_url is dropped, the expiry kept", () => {
    assert.equal(expiry(401, doc({ login_url: "//evil.example.com/" })).loginUrl, null);
  });
  test("the app's own errors are not expiry", () => {
    assert.equal(expiry(401, doc({ error: "invalid_token" })), null);
    assert.equal(expiry(503, doc({ error: N.STORE_UNAVAILABLE })), null);
  });
  test("no login_url: not the middleware's", () => {
    assert.equal(expiry(401, doc({ login_url: undefined })), null);
  });
  test("a 200 envelope needs success: false", () => {
    assert.equal(expiry(200, doc()), null);
    assert.equal(expiry(200, doc({ success: false })).error, N.SESSION_EXPIRED);
  });
  test("not an object", () => {
    assert.equal(expiry(401, null), null);
    assert.equal(expiry(401, "session_expired"), null);
  });
  test("the codes come from NAMES (protocol.for_client)", () => {
    const renamed = load(["util.js"], { NAMES: { SESSION_EXPIRED: "gone" } });
    assert.equal(renamed.expiryFromDocument(401, doc({ error: "gone" })).error, "gone");
    assert.equal(renamed.expiryFromDocument(401, doc()), null);
  });
});

describe("why a session ended: endedText and expiredText", () => {
  const texts = { revokedBody: "ended elsewhere", replacedBody: "signed in elsewhere",
                  signedOutBody: "signed out in another window", expiredBody: "timed out" };
  cases("endedText", (reason) => js.endedText(reason, texts), [
    ["revoked: ended from another device or by an administrator", [N.REVOKED],
     "ended elsewhere"],
    ["replaced: a newer sign-in of the same user", [N.REPLACED], "signed in elsewhere"],
    ["idle is not ended on purpose", [N.IDLE], null],
    ["absolute is not ended on purpose", [N.ABSOLUTE], null],
    ["no reason", [null], null],
  ]);
  cases("expiredText", (reason) => js.expiredText(reason, texts), [
    ["revoked", [N.REVOKED], "ended elsewhere"],
    ["replaced", [N.REPLACED], "signed in elsewhere"],
    ["signed out in another tab", ["logout"], "signed out in another window"],
    ["idle", [N.IDLE], "timed out"],
    ["unknown", ["expired"], "timed out"],
  ]);
  cases("endedOnPurpose", (reason) => js.endedOnPurpose(reason), [
    ["revoked", [N.REVOKED], true],
    ["replaced", [N.REPLACED], true],
    ["idle", [N.IDLE], false],
    ["absolute", [N.ABSOLUTE], false],
    ["none", [undefined], false],
  ]);
  test("the reasons come from NAMES (protocol.for_client)", () => {
    assert.equal(N.REVOKED, "revoked");
    assert.equal(N.REPLACED, "replaced");
    const renamed = load(["util.js"], { NAMES: { REVOKED: "gone" } });
    assert.equal(renamed.endedText("gone", texts), "ended elsewhere");
    assert.equal(renamed.endedText("revoked", texts), null);
  });
});

describe("expiryFromText and expiryFromAuthenticate", () => {
  test("JSON text", () => {
    const text = JSON.stringify({ error: N.SESSION_EXPIRED, login_url: "/login" });
    assert.equal(js.expiryFromText(401, text).error, N.SESSION_EXPIRED);
  });
  test("not JSON", () => assert.equal(js.expiryFromText(401, "<html>"), null));
  test("WWW-Authenticate", () => {
    assert.deepStrictEqual(
      plain(js.expiryFromAuthenticate('Bearer error="' + N.LOGIN_REQUIRED + '"')),
      { error: N.LOGIN_REQUIRED, reason: null, loginUrl: null });
    assert.equal(js.expiryFromAuthenticate('Bearer error="invalid_token"'), null);
    assert.equal(js.expiryFromAuthenticate(null), null);
  });
});

describe("expiryFromXhr", () => {
  function xhr(status, headers, body, responseType) {
    return {
      status: status,
      responseType: responseType || "",
      responseText: typeof body === "string" ? body : JSON.stringify(body),
      response: body,
      getResponseHeader: (name) => {
        for (const key in headers) {
          if (key.toLowerCase() === name.toLowerCase()) {
            return headers[key];
          }
        }
        return null;
      }
    };
  }
  const doc = { error: N.SESSION_EXPIRED, reason: N.ABSOLUTE, login_url: "/login" };
  const json = { "Content-Type": "application/problem+json" };

  test("a 401 problem document", () => {
    assert.equal(js.expiryFromXhr(xhr(401, json, doc)).reason, N.ABSOLUTE);
  });
  test("responseType json", () => {
    assert.equal(js.expiryFromXhr(xhr(401, json, doc, "json")).reason, N.ABSOLUTE);
  });
  test("a signed-in answer carries the expiry header", () => {
    const headers = Object.assign({}, json);
    headers[N.EXPIRES_IN_HEADER] = "600";
    assert.equal(js.expiryFromXhr(xhr(200, headers, Object.assign({ success: false }, doc))),
                 null);
  });
  test("a blob falls back to WWW-Authenticate", () => {
    const headers = Object.assign({ "WWW-Authenticate": 'x error="' + N.SESSION_EXPIRED + '"' },
                                  json);
    assert.equal(js.expiryFromXhr(xhr(401, headers, null, "blob")).error, N.SESSION_EXPIRED);
  });
  test("no status (a network error)", () => {
    assert.equal(js.expiryFromXhr(xhr(0, json, doc)), null);
  });
  test("a header that throws", () => {
    const broken = xhr(401, json, doc);
    broken.getResponseHeader = () => { throw new Error("not yet"); };
    assert.equal(js.expiryFromXhr(broken), null);
  });
});

cases("clockText", (ms) => js.clockText(ms), [
  ["zero", [0], "0:00"],
  ["rounds up", [1], "0:01"],
  ["under a minute", [59000], "0:59"],
  ["a minute", [60000], "1:00"],
  ["rounds up past a minute", [61001], "1:02"],
  ["ten minutes", [600000], "10:00"],
  ["never negative", [-5000], "0:00"],
]);

cases("asBoolean", (v) => js.asBoolean(v), [
  ["true", [true], true],
  ["false", [false], false],
  ["'false'", ["false"], false],
  ["' Off '", [" Off "], false],
  ["'0'", ["0"], false],
  ["'no'", ["no"], false],
  ["''", [""], true],
  ["'yes'", ["yes"], true],
]);

cases("kebab", (v) => js.kebab(v), [
  ["one word", ["fetch"], "fetch"],
  ["camel case", ["warnBefore"], "warn-before"],
  ["two humps", ["cameFromParam"], "came-from-param"],
]);

describe("newestReason and lateNews", () => {
  const waiters = [{ reason: null, late: false }, { reason: "logout", late: true },
                   { reason: "expired", late: false }, { reason: null, late: true }];
  test("the newest reason given", () => {
    assert.equal(js.newestReason(waiters), "expired");
    assert.equal(js.newestReason([{ reason: null }]), null);
  });
  test("late callers that brought news", () => {
    assert.deepStrictEqual(plain(js.lateNews(waiters)), [{ reason: "logout", late: true }]);
  });
});
