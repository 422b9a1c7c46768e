"use strict";
// Runs client script sources (wsgi_session_timeout/static/src) in a fresh vm context, the
// way the served file runs them: strict, sharing one scope, with NAMES defined first.
// The sources stay plain ES5 with no module syntax; a test reads and replaces what they
// declare as properties of the context.

const childProcess = require("child_process");
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const ROOT = path.join(__dirname, "..", "..");
const SRC = path.join(ROOT, "wsgi_session_timeout", "static", "src");
const PROTOCOL = path.join(ROOT, "wsgi_session_timeout", "protocol.py");

let wireNames = null;

// protocol.for_client(), read from protocol.py itself (which imports nothing), plus the
// served ENDPOINT_PREFIX (client.names): the names the served script gets.
function names() {
  if (wireNames === null) {
    const python = process.env.PYTHON || "python3";
    const out = childProcess.execFileSync(python, ["-c",
      "import json, runpy, sys; " +
      "print(json.dumps(runpy.run_path(sys.argv[1])['for_client']()))", PROTOCOL]);
    wireNames = JSON.parse(out.toString("utf8"));
    wireNames.ENDPOINT_PREFIX = wireNames.DEFAULT_ENDPOINT_PREFIX;
  }
  return Object.assign({}, wireNames);
}

// files: names under static/src, in load order. globals: what else the context holds
// (stand-ins for the sections not loaded, window, document); globals.NAMES is merged
// into the wire names.
function load(files, globals) {
  globals = Object.assign({}, globals);
  const context = Object.assign({}, globals, { NAMES: Object.assign(names(), globals.NAMES) });
  vm.createContext(context);
  for (const file of files) {
    const source = fs.readFileSync(path.join(SRC, file), "utf8");
    vm.runInContext('"use strict";' + source, context, { filename: file });
  }
  return context;
}

// A value from the context as plain data of this realm (for deepStrictEqual).
function plain(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

module.exports = { load, names, plain };
