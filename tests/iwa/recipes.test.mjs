// The kiosk recipes as far as this machine can take them (no ChromeOS device, no Admin console,
// no kiosk session here): the ChromeOS settings name this build's Web Bundle ID and update URL
// everywhere they must; the Linux kiosk's policy forces the helper's real extension and allows
// its native host; the kiosk command runs Chromium in kiosk mode on a fresh profile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const id = "gu7ooo3aa7gp6tqoqlmzmrndy2byg5vatts36nikyjmf6kli76zqaaic";
const update = "https://onlineislemler.kamusm.gov.tr/pin-iwa/update.json";

// Chrome's extension id: the first 32 hex digits of SHA-256(key), written with a–p.
function extensionId(manifest) {
  const hash = createHash("sha256").update(Buffer.from(manifest.key, "base64")).digest("hex");
  return [...hash.slice(0, 32)].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join("");
}

test("the ChromeOS kiosk settings: install, kiosk account, Web Smart Card and WebUSB for this app", () => {
  const policy = JSON.parse(execFileSync("bash", [join(root, "kiosk/chromeos-policy.sh"), id, update, "072F:B100"],
    { encoding: "utf8" }));
  const [account] = policy.device.DeviceLocalAccounts;
  assert.equal(account.type, 5, "kiosk Isolated Web App");
  assert.equal(account.web_bundle_id, id);
  assert.equal(account.update_manifest_url, update);
  assert.equal(policy.device.DeviceLocalAccountAutoLoginId, account.account_id);
  assert.deepEqual(policy.app.IsolatedWebAppInstallForceList, [{ web_bundle_id: id, update_manifest_url: update }]);
  assert.deepEqual(policy.app.SmartCardConnectAllowedForUrls, [`isolated-app://${id}`]);
  assert.deepEqual(policy.app.WebUsbAllowDevicesForUrls,
    [{ devices: [{ vendor_id: 0x072f, product_id: 0xb100 }], urls: [`isolated-app://${id}`] }]);
  for (const wrong of [["short", update], [id, "http://plain/update.json"], [id, update, "72F:B100"]]) {
    const run = spawnSync("bash", [join(root, "kiosk/chromeos-policy.sh"), ...wrong], { encoding: "utf8" });
    assert.equal(run.status, 2, wrong.join(" "));
  }
});

test("the Linux kiosk's policy forces the helper's extension and allows its host", () => {
  const policy = JSON.parse(readFileSync(join(root, "kiosk/linux-policy.json"), "utf8"));
  const extension = extensionId(JSON.parse(readFileSync(join(root, "helper/extension/manifest.json"), "utf8")));
  assert.deepEqual(policy.ExtensionInstallForcelist, [`${extension};https://clients2.google.com/service/update2/crx`]);
  const hostName = readFileSync(join(root, "helper/host-manifest.sh"), "utf8").match(/"name": "([^"]+)"/)[1];
  assert.deepEqual(policy.NativeMessagingAllowlist, [hostName]);
  assert.deepEqual(policy.URLBlocklist, ["*"], "the kiosk stays on KamuSM's pages");
  assert.equal(policy.SavingBrowserHistoryDisabled, true);
  assert.equal(policy.DeveloperToolsAvailability, 2);
});

test("the Linux kiosk's command: kiosk mode on a profile wiped at every start", () => {
  const command = execFileSync("bash", [join(root, "kiosk/linux-kiosk.sh"), "command", "https://pin.example/pin/shell/"],
    { encoding: "utf8" });
  assert.match(command, /^rm -rf (\S+) && mkdir -p \1 && exec chromium --kiosk .*--user-data-dir=\1 https:\/\/pin\.example\/pin\/shell\/\n$/);
  const plain = spawnSync("bash", [join(root, "kiosk/linux-kiosk.sh"), "command", "http://pin.example/"], { encoding: "utf8" });
  assert.equal(plain.status, 2, "a kiosk page over plain http is refused");
});
