
  // -- time -----------------------------------------------------------------------------
  // A remaining time is measured from the moment its request was sent. Elapsed time is the
  // larger of what performance.now() and Date say: the first does not jump with the wall
  // clock, the second keeps counting while a laptop sleeps. Either way the server confirms
  // before anything is shown as ended.

  function perfNow() {
    return window.performance && window.performance.now ? window.performance.now() : 0;
  }

  function mark() {
    return { perf: perfNow(), date: new Date().getTime() };
  }

  function elapsed(since) {
    var perf = perfNow() - since.perf;
    var date = new Date().getTime() - since.date;
    return Math.max(perf > 0 ? perf : 0, date > 0 ? date : 0);
  }

  var seqCounter = 0;

  function nextSeq() {
    seqCounter += 1;
    return seqCounter;
  }
