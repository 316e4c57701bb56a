// Keyboard shortcuts of the inbox (listed on the page): j/k move through the list,
// o or Enter open the chosen case, x marks it for a bulk action, / goes to the search.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-linha]"));
  var current = -1;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function choose(index) {
    if (!rows.length) { return; }
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0) { rows[current].classList.remove("escolhida"); }
    current = index;
    rows[current].classList.add("escolhida");
    var link = rows[current].querySelector("a.protocolo");
    if (link) { link.focus(); }
  }

  function open() {
    var link = current >= 0 && rows[current].querySelector("a.protocolo");
    if (link) { window.location.href = link.href; }
  }

  function mark() {
    var box = current >= 0 && rows[current].querySelector("input[type=checkbox]");
    if (box) { box.checked = !box.checked; }
  }

  function search() {
    var field = document.getElementById("q");
    if (field) { field.focus(); }
  }

  var keys = {
    j: function () { choose(current + 1); },
    k: function () { choose(current - 1); },
    o: open,
    x: mark,
    "/": search
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var action = keys[event.key];
    if (event.key === "Enter" && current >= 0 && event.target === document.body) { action = open; }
    if (!action) { return; }
    event.preventDefault();
    action();
  });
}());
