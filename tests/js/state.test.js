"use strict";
// state.js: the one owner of the state. setState is its only writer and tells listeners.

const assert = require("node:assert/strict");
const { describe, test } = require("node:test");
const { load, plain } = require("./load");

describe("setState", () => {
  test("changes the state and tells every listener what it was", () => {
    const js = load(["util.js", "state.js"]);
    const heard = [];
    js.onStateChange((previous) => heard.push(["a", plain(previous)]));
    js.onStateChange((previous) => heard.push(["b", plain(previous)]));
    js.setState({ status: "active", warned: false, seq: 3 });
    assert.equal(js.state.status, "active");
    assert.equal(js.state.seq, 3);
    assert.deepStrictEqual(heard, [["a", { status: "unknown", seq: 0 }],
                                   ["b", { status: "unknown", seq: 0 }]]);
  });

  test("no change, no news", () => {
    const js = load(["util.js", "state.js"]);
    let calls = 0;
    js.onStateChange(() => calls++);
    js.setState({ status: "unknown", navigating: false });
    assert.equal(calls, 0);
  });

  test("refuses a name it does not own", () => {
    const js = load(["util.js", "state.js"]);
    assert.throws(() => js.setState({ stauts: "active" }), /no state stauts/);
    assert.equal(js.state.status, "unknown");
  });
});

describe("remainingMs", () => {
  const at = (now) => load(["util.js", "state.js"], { elapsed: (since) => now - since.date });

  test("counts from the request's send time", () => {
    const js = at(4000);
    js.setState({ status: "active", base: { perf: 0, date: 1000 }, remainingMs: 60000 });
    assert.equal(js.remainingMs(), 57000);
    assert.deepStrictEqual(plain(js.snapshot()), { state: "active", expiresIn: 57 });
  });

  test("null when not signed in, or no deadline", () => {
    const js = at(0);
    assert.equal(js.remainingMs(), null);
    js.setState({ status: "active", remainingMs: null });
    assert.equal(js.remainingMs(), null);
    assert.deepStrictEqual(plain(js.snapshot()), { state: "active", expiresIn: null });
  });
});
