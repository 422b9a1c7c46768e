"use strict";
// config.js: options from data- attributes and window.SessionTimeoutConfig, and where the
// endpoints and the mount (the default login and logout URLs) are.

const assert = require("node:assert/strict");
const { describe, test } = require("node:test");
const { load, plain } = require("./load");

// A <script> element's stand-in.
function scriptTag(src, attributes) {
  attributes = attributes || {};
  return {
    src: src,
    hasAttribute: (name) => Object.prototype.hasOwnProperty.call(attributes, name),
    getAttribute: (name) => attributes[name],
  };
}

function page(src, attributes, prefix, windowConfig) {
  return load(["util.js", "config.js"], {
    NAMES: { ENDPOINT_PREFIX: prefix || "/_session" },
    document: { currentScript: src === null ? null : scriptTag(src, attributes),
                getElementsByTagName: () => [] },
    window: { SessionTimeoutConfig: windowConfig },
    pathOf: (url) => new URL(url, "http://127.0.0.1/").pathname,
  });
}

describe("where the endpoints and the mount are", () => {
  const table = [
    ["the default prefix at the root", "/_session/client.js", null, "/_session", ""],
    ["the default prefix under a mount", "http://h/shop/_session/client.js", null,
     "/shop/_session", "/shop"],
    ["a custom prefix at the root", "/auth/session-api/client.js", "/auth/session-api",
     "/auth/session-api", ""],
    ["a custom prefix under a mount", "/portal/auth/session-api/client.js",
     "/auth/session-api", "/portal/auth/session-api", "/portal"],
    ["a src with a query", "/portal/auth/session-api/client.js?v=3", "/auth/session-api",
     "/portal/auth/session-api", "/portal"],
    ["no src: the served prefix", null, "/auth/session-api", "/auth/session-api", ""],
  ];
  for (const [name, src, prefix, endpoint, mount] of table) {
    test(name, () => {
      const js = page(src, {}, prefix);
      js.configureFromPage();
      assert.equal(js.endpoint, endpoint);
      assert.equal(js.mount, mount);
    });
  }

  test("data-endpoint wins over the src", () => {
    const js = page("/x/_session/client.js", { "data-endpoint": "/portal/_session/" });
    js.configureFromPage();
    assert.equal(js.endpoint, "/portal/_session");
    assert.equal(js.mount, "/portal");
  });

  test("configure({endpoint: null}) goes back to the src", () => {
    const js = page("/portal/auth/session-api/client.js", {}, "/auth/session-api");
    js.configureFromPage();
    js.apply({ endpoint: "/other/auth/session-api" });
    js.settle();
    assert.equal(js.mount, "/other");
    js.apply({ endpoint: null });
    js.settle();
    assert.equal(js.mount, "/portal");
  });
});

describe("options", () => {
  test("data- attributes, then window.SessionTimeoutConfig", () => {
    const js = page("/_session/client.js", {
      "data-warn-before": "30", "data-mode": "dialog", "data-fetch": "false",
      "data-text-stay": "Keep me", "data-texts": '{"close": "OK"}',
    }, null, { pollInterval: 0, texts: { close: "Done" } });
    js.configureFromPage();
    assert.equal(js.cfg.warnBefore, 30);
    assert.equal(js.cfg.mode, "dialog");
    assert.equal(js.cfg.fetch, false);
    assert.equal(js.cfg.pollInterval, 0);
    assert.equal(js.cfg.xhr, true);
    assert.equal(js.texts.stay, "Keep me");
    assert.equal(js.texts.close, "Done");
  });

  const refusals = [
    ["an unknown option", { warnSoon: 5 }, /unknown option warnSoon/],
    ["an unknown text", { texts: { hello: "x" } }, /unknown text hello/],
    ["a negative number", { warnBefore: -1 }, /warnBefore must be a number/],
    ["not a number", { pollInterval: "soon" }, /pollInterval must be a number/],
    ["a mode", { mode: "popup" }, /mode must be/],
    ["a logout method", { logoutMethod: "DELETE" }, /logoutMethod must be GET or POST/],
    ["formatTime", { formatTime: "m:ss" }, /formatTime must be a function/],
  ];
  for (const [name, options, message] of refusals) {
    test("refuses " + name, () => {
      const js = page("/_session/client.js");
      assert.throws(() => js.apply(options), (error) => message.test(error.message));
    });
  }

  test("logoutMethod is case-insensitive", () => {
    const js = page("/_session/client.js");
    js.apply({ logoutMethod: "post" });
    assert.equal(js.cfg.logoutMethod, "POST");
  });

  test("the defaults", () => {
    const js = page("/_session/client.js");
    assert.deepStrictEqual(plain(js.cfg), plain(js.DEFAULTS));
  });
});
