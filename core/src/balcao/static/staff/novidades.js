// New citizens' messages on my cases, without reloading: ask the server every minute.
(function () {
  "use strict";
  var box = document.getElementById("novidades");
  if (!box || !window.fetch) { return; }
  var since = null;
  var seen = {};
  function show(answer) {
    answer.cases.forEach(function (c) { seen[c.protocol] = (seen[c.protocol] || 0) + c.count; });
    var protocols = Object.keys(seen);
    if (!protocols.length) { return; }
    var total = protocols.reduce(function (n, p) { return n + seen[p]; }, 0);
    box.textContent = total === 1 ? "1 mensagem nova: " : total + " mensagens novas: ";
    protocols.forEach(function (p, i) {
      var link = document.createElement("a");
      link.href = "/staff/manifestacoes/" + encodeURIComponent(p);
      link.textContent = p;
      if (i) { box.appendChild(document.createTextNode(", ")); }
      box.appendChild(link);
    });
    box.hidden = false;
  }
  function ask() {
    var url = "/staff/novidades" + (since === null ? "" : "?desde=" + since);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer) { return; }
        if (since !== null) { show(answer); }
        since = answer.since;
      })
      .catch(function () {});
  }
  ask();
  window.setInterval(ask, Number(box.getAttribute("data-intervalo") || 60) * 1000);
})();
