"use strict";
// checkStatus: callers that ask while a status request is in flight.

const assert = require("node:assert/strict");
const { beforeEach, describe, test } = require("node:test");
const { load, names } = require("./load");

const N = names();

function setUp() {
  const sent = [];     // [{method, url, headers, answer(doc or null)}]
  const learned = [];
  let seq = 0;
  const js = load(["util.js", "status.js"], {
    window: { XMLHttpRequest: function () {} },
    endpoint: "/portal/auth/session-api",
    nextSeq: () => ++seq,
    mark: () => ({ perf: 0, date: 0 }),
    learn: (info) => learned.push(info),
    schedule: () => {},
  });
  js.ajax = (method, url, headers, callback) => {
    sent.push({ method, url, headers, answer: (doc) => callback(doc === null ? null : {
      status: 200, responseText: JSON.stringify(doc) }) });
  };
  return { js, sent, learned };
}

describe("checkStatus", () => {
  let js, sent, learned;
  beforeEach(() => ({ js, sent, learned } = setUp()));

  test("asks the status endpoint passively", () => {
    js.checkStatus(null);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].method, "GET");
    assert.equal(sent[0].url, "/portal/auth/session-api/" + N.STATUS);
    assert.equal(sent[0].headers[N.PASSIVE_HEADER], "1");
  });

  test("callers while a request is in flight share it, and all are answered", () => {
    const answers = [];
    js.checkStatus((doc) => answers.push(["first", doc.authenticated]));
    js.checkStatus((doc) => answers.push(["second", doc.authenticated]));
    assert.equal(sent.length, 1);
    sent[0].answer({ authenticated: false });
    assert.deepStrictEqual(answers, [["first", false], ["second", false]]);
    assert.equal(learned.length, 1);
    assert.equal(learned[0].reason, "expired");
    assert.equal(learned[0].remote, false);
  });

  test("a second caller's reason is not dropped", () => {
    js.checkStatus(null);                 // a poll
    js.checkStatus(null, "logout");       // another tab signed out meanwhile
    sent[0].answer({ authenticated: false });
    assert.equal(learned.length, 1);
    assert.equal(learned[0].reason, "logout");
    assert.equal(learned[0].remote, true);
  });

  test("news that came after the request went out gets a request of its own", () => {
    const answers = [];
    js.checkStatus((doc) => answers.push(["poll", doc.authenticated]));
    js.checkStatus((doc) => answers.push(["news", doc.authenticated]), "logout");
    sent[0].answer({ authenticated: true, expires_in: 500 });  // sent before the sign-out
    assert.deepStrictEqual(answers, [["poll", true]]);
    assert.equal(sent.length, 2);
    sent[1].answer({ authenticated: false });
    assert.deepStrictEqual(answers, [["poll", true], ["news", false]]);
    assert.deepStrictEqual(learned.map((info) => [info.authenticated, info.reason]),
                           [[true, "logout"], [false, "logout"]]);
    assert.equal(sent.length, 2);
  });

  test("news the request was sent with is answered by it", () => {
    js.checkStatus(null, "logout");
    sent[0].answer({ authenticated: true, expires_in: 500 });
    assert.equal(sent.length, 1);
  });

  test("late news joins a request a callback started", () => {
    const answers = [];
    js.checkStatus(() => js.checkStatus((doc) => answers.push(["again", doc.authenticated])));
    js.checkStatus((doc) => answers.push(["news", doc.authenticated]), "logout");
    sent[0].answer({ authenticated: true, expires_in: 500 });
    assert.equal(sent.length, 2);
    sent[1].answer({ authenticated: false });
    assert.deepStrictEqual(answers, [["again", false], ["news", false]]);
    assert.equal(learned[1].reason, "logout");
  });

  test("a failed request answers everyone with null and learns nothing", () => {
    const answers = [];
    js.checkStatus((doc) => answers.push(doc));
    js.checkStatus((doc) => answers.push(doc), "logout");
    sent[0].answer(null);
    assert.deepStrictEqual(answers, [null, null]);
    assert.equal(learned.length, 0);
    js.checkStatus(null);
    assert.equal(sent.length, 2, "the next caller sends a new request");
  });
});
