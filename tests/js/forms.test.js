"use strict";
// forms.js: a POST form is never sent into an ended session unknowingly. formPlan (pure)
// decides; onSubmit asks the status when the page's news is stale, then sends or holds.

const assert = require("node:assert/strict");
const { beforeEach, describe, test } = require("node:test");
const { load } = require("./load");

const FRESH = 5000;

describe("formPlan", () => {
  const js = load(["util.js"]);
  const table = [
    ["expired: held", ["expired", null, null], "hold"],
    ["never signed in (a sign-in form): sent", ["anonymous", null, null], "send"],
    ["not known yet: sent", ["unknown", null, null], "send"],
    ["fresh news, time left: sent", ["active", 60000, 1000], "send"],
    ["fresh news, no deadline: sent", ["active", null, 1000], "send"],
    ["news exactly at the bound: sent", ["active", 60000, FRESH], "send"],
    ["stale news, time left: checked", ["active", 60000, FRESH + 1], "check"],
    ["the countdown reached zero: checked", ["active", 0, 10], "check"],
    ["no news at all: checked", ["active", 60000, null], "check"],
  ];
  for (const [name, args, expected] of table) {
    test(name, () => assert.equal(js.formPlan(...args, FRESH), expected));
  }
});

// A form element and a submit event, as much of them as onSubmit reads.
function makeForm(attributes) {
  const submitted = [];
  const form = {
    nodeName: "FORM",
    getAttribute: (name) => (name in attributes ? attributes[name] : null),
    hasAttribute: (name) => name in attributes,
    requestSubmit: (submitter) => submitted.push(submitter || null),
  };
  return { form, submitted };
}

function submitEvent(form, submitter) {
  return {
    target: form, submitter: submitter || null, defaultPrevented: false,
    preventDefault() { this.defaultPrevented = true; },
  };
}

function setUp(status, ageMs) {
  const asked = [];     // status callbacks waiting for an answer
  const events = [];
  const js = load(["util.js", "forms.js"], {
    window: { location: { href: "http://site/app/form" } },
    document: { documentElement: { contains: () => true } },
    cfg: { forms: true },
    state: { status },
    remainingMs: () => 60000,
    knowledgeAgeMs: () => ageMs,
    sameOrigin: (url) => url.indexOf("http://site/") === 0,
    absolute: (url) => (url.charAt(0) === "/" ? "http://site" + url : url),
    checkStatus: (callback) => asked.push(callback),
    emit: (name) => { events.push(name); return { defaultPrevented: false }; },
    resolveLoginUrl: (callback) => callback("/login?came_from=%2Fapp%2Fform"),
    openRelogin: (url) => events.push("relogin " + url),
  });
  return { js, asked, events };
}

describe("onSubmit", () => {
  let form, submitted;
  beforeEach(() => ({ form, submitted } = makeForm({ method: "post", action: "/app/save" })));

  test("fresh news that the session is signed in: the form goes, nothing is asked", () => {
    const { js, asked } = setUp("active", 100);
    const event = submitEvent(form);
    js.onSubmit(event);
    assert.equal(event.defaultPrevented, false);
    assert.equal(asked.length, 0);
  });

  test("stale news: one status check, then the form goes with its button", () => {
    const { js, asked, events } = setUp("active", 60000);
    const button = { name: "action", getAttribute: () => null };
    const event = submitEvent(form, button);
    js.onSubmit(event);
    assert.equal(event.defaultPrevented, true);
    assert.equal(asked.length, 1);
    const again = submitEvent(form, button);
    js.onSubmit(again);  // pressed again while the check is under way
    assert.equal(again.defaultPrevented, true);
    assert.equal(asked.length, 1, "no second check");
    asked[0]({ authenticated: true });
    assert.deepStrictEqual(submitted, [button]);
    assert.deepStrictEqual(events, [], "no re-sign-in events for a session that never ended");
  });

  test("stale news and the server says the session ended: the form is held", () => {
    const env = setUp("active", 60000);
    const event = submitEvent(form);
    env.js.onSubmit(event);
    env.js.state.status = "expired";  // what learn() does with the answer
    env.asked[0]({ authenticated: false });
    assert.deepStrictEqual(submitted, []);
    assert.equal(env.js.hasHeldForm(), true);
    assert.deepStrictEqual(env.events, ["sessiontimeout:formheld",
                                        "relogin /login?came_from=%2Fapp%2Fform"]);
  });

  test("the status cannot be read: the form goes and the server answers it", () => {
    const { js, asked } = setUp("active", 60000);
    js.onSubmit(submitEvent(form));
    asked[0](null);
    assert.deepStrictEqual(submitted, [null]);
  });

  test("known to be over: held at once", () => {
    const { js, asked, events } = setUp("expired", null);
    const event = submitEvent(form);
    js.onSubmit(event);
    assert.equal(event.defaultPrevented, true);
    assert.equal(asked.length, 0);
    assert.equal(events[0], "sessiontimeout:formheld");
  });

  for (const [name, attributes] of [
    ["a GET form", { method: "get", action: "/app/search" }],
    ["a form to another site", { method: "post", action: "http://other/x" }],
    ["a form the page opted out", { method: "post", action: "/app/save",
                                    "data-session-timeout-ignore": "" }],
  ]) {
    test(name + " is left alone", () => {
      const { js, asked } = setUp("active", 60000);
      const event = submitEvent(makeForm(attributes).form);
      js.onSubmit(event);
      assert.equal(event.defaultPrevented, false);
      assert.equal(asked.length, 0);
    });
  }
});
