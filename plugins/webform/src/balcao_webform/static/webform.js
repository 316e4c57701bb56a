// Progressive enhancement only: the form and the receipt work without this file (the code
// is plain text a person can select and copy).
function announce(region, text) {
  // emptied first so that the same words are announced again on a second click
  region.textContent = "";
  window.setTimeout(function () { region.textContent = text; }, 50);
}

function selectText(node) {
  var range = document.createRange();
  range.selectNodeContents(node);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

function copyCode(button) {
  var node = document.getElementById(button.getAttribute("data-copiar"));
  var region = document.getElementById("copiado");
  var text = node.textContent.trim();
  var fallback = function () {
    selectText(node);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    announce(region, copied ? "Código copiado" : "Código selecionado: use Ctrl+C para copiar");
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(function () {
      announce(region, "Código copiado");
    }, fallback);
  } else {
    fallback();
  }
}

document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("resumo-erros") || document.getElementById("registrada");
  if (summary && document.activeElement !== summary) { summary.focus(); }
  document.querySelectorAll(".wf-imprimir").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll(".wf-copiar").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copyCode(button); });
  });
});
