// The page stand-in's part of the demo: what KamuSM's online-operations page does after the
// e-Devlet login, played by the demo backend. It issues a verification code for the chosen
// operation (POST /demo/verification-codes), shows it as the real page does and passes it to
// the app (window.kamusmPin.setVerificationCode). Without a demo backend it does nothing.
(function () {
  "use strict";
  const demoHolder = "10000000146";
  const codeNode = document.getElementById("verification-code");
  const choice = document.getElementById("operation-choice");

  // "123456789012345" → "12345 67890 12345", the way the page shows it.
  const grouped = (code) => code.replace(/(\d{5})(?=\d)/g, "$1 ");

  async function issueCode() {
    const operation = choice.querySelector("input[name=operation]:checked").value;
    const response = await fetch("/demo/verification-codes", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ tckn: demoHolder, operation }),
    });
    if (!response.ok) throw new Error(`the demo backend answered ${response.status}`);
    const issued = await response.json();
    codeNode.textContent = grouped(issued.code);
    codeNode.dataset.code = issued.code;
    window.kamusmPin.setVerificationCode(issued.code, issued.expires_in);
  }

  async function start() {
    const health = await fetch("/api/v1/health", { cache: "no-store" }).then((r) => r.json());
    if (!health.demo) return;
    choice.hidden = false;
    document.getElementById("new-code").addEventListener("click", () => issueCode().catch(report));
    await issueCode();
  }

  function report(error) {
    codeNode.textContent = "— — —";
    console.warn(`demo page: ${error.message}`);
  }

  start().catch(report);
})();
