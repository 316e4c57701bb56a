// Starts the VLibras widget (Libras translation), loaded only when the setting is on.
if (window.VLibras) { new window.VLibras.Widget("https://vlibras.gov.br/app"); }
