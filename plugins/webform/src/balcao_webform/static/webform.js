// Progressive enhancement only: the form works without this file.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("resumo-erros") || document.getElementById("registrada");
  if (summary && document.activeElement !== summary) { summary.focus(); }
  document.querySelectorAll(".wf-imprimir").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
