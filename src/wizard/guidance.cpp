// The guidance table (guidance.hpp): rows from the most particular environment to the error's
// catch-all. Texts say what happened and the concrete remedy there (UTF-8).
#include "kamusm/wizard/guidance.hpp"

#include <array>

namespace kamusm::wizard {

namespace {

using E = WizardError;
using D = Deployment;
using S = System;
using B = Browser;
constexpr Deployments anyDeployment = Deployments::all();
constexpr Systems anySystem = Systems::all();
constexpr Browsers anyBrowser = Browsers::all();
constexpr Browsers chromium{B::Chrome, B::Edge, B::Chromium};
constexpr Systems desktops{S::Windows, S::MacOs, S::Linux};
constexpr Deployments managed{D::IsolatedApp, D::Kiosk};

constexpr std::array rows{
    // No WebUSB.
    GuidanceRow{E::NoWebUsb, anyDeployment, anySystem, chromium,
                "Bu tarayıcı USB kart okuyucularla konuşamıyor: WebUSB kapatılmış. Kurum "
                "bilgisayarında yönetici DefaultWebUsbGuardSetting politikasıyla açabilir; kendi "
                "bilgisayarınızda sayfayı güncel Google Chrome veya Microsoft Edge ile açın.",
                "This browser cannot talk to USB card readers: WebUSB is turned off. On an "
                "organisation's computer the administrator can turn it on "
                "(DefaultWebUsbGuardSetting); on your own computer open the page in a current "
                "Google Chrome or Microsoft Edge.",
                "webusb-kapali"},
    GuidanceRow{E::NoWebUsb, anyDeployment, anySystem, anyBrowser, {}, {}, "tarayici"},
    // No secure context.
    GuidanceRow{E::InsecureContext,
                {D::Kiosk},
                anySystem,
                anyBrowser,
                "Kiosk sayfası güvenli bağlantıyla açılmadı. Görevliye haber verin: kiosk adresi "
                "https:// ile başlamalı.",
                "The kiosk page was not opened over a secure connection. Tell the staff: the "
                "kiosk's address must start with https://.",
                "kiosk-kurulum"},
    GuidanceRow{E::InsecureContext, anyDeployment, anySystem, anyBrowser, {}, {}, "https"},
    // The protected class: Chrome refuses class 0x0B readers to ordinary pages.
    GuidanceRow{E::UsbAccessDenied,
                {D::Page},
                desktops,
                anyBrowser,
                "Tarayıcı bu kart okuyucuya web sayfalarından doğrudan erişime izin vermiyor "
                "(akıllı kart okuyucular korunur). Aşağıdan bu bilgisayar için KamuSM kart "
                "yardımcısını indirip kurun; okuyucu sonra işletim sistemi üzerinden kullanılır.",
                "The browser does not let web pages use this card reader directly (smart-card "
                "readers are protected). Download the KamuSM card helper for this computer "
                "below and install it; the reader is then used through the operating system.",
                "yardimci-kur"},
    GuidanceRow{E::UsbAccessDenied,
                {D::Page},
                {S::ChromeOs},
                anyBrowser,
                "ChromeOS'ta kart okuyucuya bu sayfadan erişilemez. Kurumunuzdan KamuSM "
                "uygulamasını ve Smart Card Connector'ı kurmasını isteyin.",
                "On ChromeOS this page cannot reach the card reader. Ask your organisation to "
                "install the KamuSM app and the Smart Card Connector.",
                "chromeos"},
    GuidanceRow{E::UsbAccessDenied,
                {D::Page},
                {S::Android},
                anyBrowser,
                "Android'de tarayıcılar akıllı kart okuyuculara erişemez. İşlemi bir "
                "bilgisayardan yapın.",
                "On Android browsers cannot reach smart-card readers. Do the operation on a "
                "computer.",
                "android"},
    GuidanceRow{E::UsbAccessDenied,
                {D::IsolatedApp},
                anySystem,
                anyBrowser,
                "KamuSM uygulamasına bu cihazda USB kart okuyucu izni (usb-unrestricted) "
                "verilmemiş. Yönetici uygulamayı politika ile yeniden kurmalı; Chrome 128 veya "
                "sonrası gerekir.",
                "The KamuSM app has no USB card-reader permission (usb-unrestricted) on this "
                "device. The administrator must install it again by policy; Chrome 128 or later "
                "is needed.",
                "iwa-izinleri"},
    GuidanceRow{E::UsbAccessDenied,
                {D::Kiosk},
                anySystem,
                anyBrowser,
                "Bu kioskun tarayıcısı kart okuyucuya doğrudan erişemiyor. Görevliye haber "
                "verin: kiosk KamuSM kart yardımcısıyla ya da KamuSM uygulamasıyla kurulmalı.",
                "This kiosk's browser cannot reach the card reader directly. Tell the staff: "
                "the kiosk must be set up with the KamuSM card helper or the KamuSM app.",
                "kiosk-kurulum"},
    GuidanceRow{E::UsbAccessDenied, anyDeployment, anySystem, anyBrowser, {}, {}, "usb-erisim"},
    // Interface busy, or the system's own driver holding the reader.
    GuidanceRow{E::UsbBusy,
                anyDeployment,
                {S::Linux},
                anyBrowser,
                "Kart okuyucuyu akıllı kart hizmeti pcscd tutuyor. KamuSM kart yardımcısını "
                "kurun (okuyucu pcscd üzerinden kullanılır) ya da doğrudan USB için pcscd'yi "
                "durdurun: sudo systemctl stop pcscd.socket pcscd; sonra okuyucuyu çıkarıp "
                "takın.",
                "The smart-card service pcscd holds the card reader. Install the KamuSM card "
                "helper (the reader is then used through pcscd), or stop pcscd for direct USB: "
                "sudo systemctl stop pcscd.socket pcscd; then unplug and replug the reader.",
                "linux-pcscd"},
    GuidanceRow{E::UsbBusy,
                anyDeployment,
                {S::Windows},
                anyBrowser,
                "Kart okuyucuyu Windows'un akıllı kart sürücüsü tutuyor; tarayıcı onu doğrudan "
                "USB ile kullanamaz. KamuSM kart yardımcısını kurun: okuyucu Windows'un akıllı "
                "kart hizmeti üzerinden kullanılır.",
                "Windows' own smart-card driver holds the card reader, so the browser cannot use "
                "it over USB. Install the KamuSM card helper: the reader is then used through "
                "Windows' smart-card service.",
                "windows-surucu"},
    GuidanceRow{E::UsbBusy,
                anyDeployment,
                {S::MacOs},
                anyBrowser,
                "Kart okuyucuyu macOS'un akıllı kart sürücüsü tutuyor. KamuSM kart yardımcısını "
                "kurun: okuyucu macOS üzerinden kullanılır.",
                "macOS' smart-card driver holds the card reader. Install the KamuSM card "
                "helper: the reader is then used through macOS.",
                "macos"},
    GuidanceRow{E::UsbBusy,
                anyDeployment,
                {S::ChromeOs},
                anyBrowser,
                "Kart okuyucuyu Smart Card Connector tutuyor. KamuSM uygulamasını kullanın; o, "
                "okuyucuyu Smart Card Connector üzerinden kullanır.",
                "The Smart Card Connector holds the card reader. Use the KamuSM app, which uses "
                "the reader through the Smart Card Connector.",
                "chromeos"},
    GuidanceRow{E::UsbBusy, anyDeployment, anySystem, anyBrowser, {}, {}, "okuyucu-mesgul"},
    // The system refuses to open the device: rights (Linux), driver (Windows).
    GuidanceRow{E::UsbOpenDenied,
                anyDeployment,
                {S::Linux},
                anyBrowser,
                "Linux bu kart okuyucuyu açma izni vermiyor. KamuSM kart yardımcısını kurun ya "
                "da yardım sayfasındaki udev kuralını ekleyip okuyucuyu çıkarıp takın.",
                "Linux does not allow the browser to open this card reader. Install the KamuSM "
                "card helper, or add the udev rule from the help page and replug the reader.",
                "linux-udev"},
    GuidanceRow{E::UsbOpenDenied,
                anyDeployment,
                {S::Windows},
                anyBrowser,
                "Kart okuyucuyu Windows'un kendi sürücüsü tutuyor: tarayıcı yalnızca WinUSB "
                "sürücülü cihazları açabilir. KamuSM kart yardımcısını kurun; sürücüyü "
                "değiştirmeniz gerekmez.",
                "Windows' own driver holds the card reader: the browser can only open devices "
                "with the WinUSB driver. Install the KamuSM card helper; there is no need to "
                "change the driver.",
                "windows-surucu"},
    GuidanceRow{E::UsbOpenDenied, anyDeployment, anySystem, anyBrowser, {}, {}, "usb-erisim"},
    // The Web Smart Card API refused by the holder or a policy.
    GuidanceRow{E::SmartCardDenied, managed, anySystem, anyBrowser,
                "Kart okuyucu izni verilmedi. Görevliye ya da yöneticinize haber verin: "
                "SmartCardConnectAllowedForUrls politikası bu uygulamanın adresini "
                "(isolated-app://…) içermeli.",
                "Access to the card reader was not granted. Tell the staff or your administrator: "
                "the SmartCardConnectAllowedForUrls policy must list this app's address "
                "(isolated-app://…).",
                "kart-izni"},
    GuidanceRow{E::SmartCardDenied, anyDeployment, anySystem, anyBrowser, {}, {}, "kart-izni"},
    GuidanceRow{E::SmartCardNotAllowed, managed, anySystem, anyBrowser,
                "Bu uygulamanın akıllı kart izni kapalı. Yönetici SmartCardConnectBlockedForUrls "
                "politikasını denetlemeli ve uygulamanın güncel sürümünü kurmalı.",
                "This app's smart-card permission is off. The administrator must check the "
                "SmartCardConnectBlockedForUrls policy and install the app's current version.",
                "iwa-izinleri"},
    GuidanceRow{E::SmartCardNotAllowed, anyDeployment, anySystem, anyBrowser, {}, {}, "kart-izni"},
    // No PC/SC service.
    GuidanceRow{E::PcscUnavailable,
                anyDeployment,
                {S::Windows},
                anyBrowser,
                "Windows'un akıllı kart hizmeti çalışmıyor. Hizmetler'de \"Akıllı Kart\" "
                "(SCardSvr) hizmetini başlatın, başlangıç türünü Otomatik yapın; sonra kart "
                "okuyucuyu çıkarıp takın.",
                "Windows' smart-card service is not running. In Services start \"Smart Card\" "
                "(SCardSvr) and set its startup type to Automatic; then unplug and replug the "
                "card reader.",
                "windows-scardsvr"},
    GuidanceRow{E::PcscUnavailable,
                anyDeployment,
                {S::Linux},
                anyBrowser,
                "Akıllı kart hizmeti pcscd çalışmıyor. sudo apt install pcscd ve sudo systemctl "
                "enable --now pcscd.socket ile başlatın; sonra kart okuyucuyu çıkarıp takın.",
                "The smart-card service pcscd is not running. Start it with sudo apt install "
                "pcscd and sudo systemctl enable --now pcscd.socket; then unplug and replug the "
                "card reader.",
                "linux-pcscd"},
    GuidanceRow{E::PcscUnavailable,
                anyDeployment,
                {S::MacOs},
                anyBrowser,
                "macOS'un akıllı kart hizmeti yanıt vermiyor. Kart okuyucuyu çıkarıp takın; "
                "sürerse bilgisayarı yeniden başlatın.",
                "macOS' smart-card service does not answer. Unplug and replug the card reader; "
                "if that does not help, restart the computer.",
                "macos"},
    GuidanceRow{E::PcscUnavailable,
                anyDeployment,
                {S::ChromeOs},
                anyBrowser,
                "ChromeOS'ta kart okuyucular Smart Card Connector uygulamasıyla çalışır. Smart "
                "Card Connector'ı kurun (yönetilen cihazlarda yönetici kurar) ve açık tutun.",
                "On ChromeOS card readers work through the Smart Card Connector app. Install it "
                "(on managed devices the administrator does) and keep it running.",
                "chromeos"},
    GuidanceRow{E::PcscUnavailable, anyDeployment, anySystem, anyBrowser, {}, {}, "pcsc"},
    // The helper's extension without its program, or the program gone.
    GuidanceRow{E::HelperMissing,
                {D::Kiosk},
                anySystem,
                anyBrowser,
                "Bu kioskta KamuSM kart yardımcısı kurulu değil. Görevliye haber verin: "
                "yönetici yardımcının programını kurmalı.",
                "The KamuSM card helper is not installed on this kiosk. Tell the staff: the "
                "administrator must install the helper's program.",
                "kiosk-kurulum"},
    GuidanceRow{E::HelperMissing,
                {D::Page},
                {S::Windows},
                anyBrowser,
                "Tarayıcınızda KamuSM uzantısı var, ama bilgisayarınızda KamuSM kart yardımcısı "
                "kurulu değil. Aşağıdan Windows kurulum programını indirip çalıştırın, sonra "
                "\"Kart okuyucu seç\"e basın.",
                "The KamuSM extension is in your browser, but the KamuSM card helper is not "
                "installed on this computer. Download the Windows installer below, run it, then "
                "press \"Choose a card reader\".",
                "yardimci-kur"},
    GuidanceRow{E::HelperMissing,
                {D::Page},
                {S::Linux},
                anyBrowser,
                "Tarayıcınızda KamuSM uzantısı var, ama bilgisayarınızda KamuSM kart yardımcısı "
                "kurulu değil. Aşağıdan .deb paketini indirip sudo apt install "
                "./kamusm-pcsc-helper_amd64.deb ile kurun, sonra \"Kart okuyucu seç\"e basın.",
                "The KamuSM extension is in your browser, but the KamuSM card helper is not "
                "installed on this computer. Download the .deb package below, install it with "
                "sudo apt install ./kamusm-pcsc-helper_amd64.deb, then press \"Choose a card "
                "reader\".",
                "yardimci-kur"},
    GuidanceRow{E::HelperMissing,
                {D::Page},
                {S::MacOs},
                anyBrowser,
                "Tarayıcınızda KamuSM uzantısı var, ama bilgisayarınızda KamuSM kart yardımcısı "
                "kurulu değil. macOS için hazır paket yok: yardım sayfasındaki adımlarla kurun "
                "ya da kurumunuzun bilgi işlem birimine başvurun.",
                "The KamuSM extension is in your browser, but the KamuSM card helper is not "
                "installed on this computer. There is no ready package for macOS: install it "
                "with the steps on the help page, or ask your IT department.",
                "macos"},
    GuidanceRow{E::HelperMissing, anyDeployment, anySystem, anyBrowser, {}, {}, "yardimci-kur"},
    GuidanceRow{E::HelperStopped,
                {D::Kiosk},
                anySystem,
                anyBrowser,
                "KamuSM kart yardımcısı çalışırken durdu ve kartınız sıfırlandı. \"Baştan "
                "başla\" ile yeniden deneyin; tekrarlarsa görevliye haber verin.",
                "The KamuSM card helper stopped while it was working, and your card was reset. "
                "Try again with \"Start over\"; if it happens again, tell the staff.",
                "kiosk-kurulum"},
    GuidanceRow{E::HelperStopped, anyDeployment, anySystem, anyBrowser, {}, {}, "yardimci-kur"},
    // The reader gone, or the card held by another program.
    GuidanceRow{E::ReaderUnplugged,
                {D::Kiosk},
                anySystem,
                anyBrowser,
                "Kart okuyucunun bağlantısı kesildi. Görevliye haber verin.",
                "The card reader was disconnected. Tell the staff.",
                "kiosk-kurulum"},
    GuidanceRow{E::ReaderUnplugged, anyDeployment, anySystem, anyBrowser, {}, {}, "okuyucu"},
    GuidanceRow{E::CardInUse, anyDeployment, anySystem, anyBrowser, {}, {}, "okuyucu-mesgul"},
};

// The errors the table guides: every situation of guidance.hpp's list.
constexpr std::array guided{
    E::NoWebUsb,      E::InsecureContext, E::UsbAccessDenied,     E::UsbBusy,
    E::UsbOpenDenied, E::SmartCardDenied, E::SmartCardNotAllowed, E::PcscUnavailable,
    E::HelperMissing, E::HelperStopped,   E::ReaderUnplugged,     E::CardInUse,
};

// Each guided error ends with a row for everywhere, and rows of one error stay together.
constexpr bool endsWithCatchAll(WizardError error) {
    bool open = false; // inside this error's rows, before its catch-all
    bool closed = false;
    for (const GuidanceRow& row : rows) {
        if (row.error != error) {
            if (open) return false; // the error's rows are split
            continue;
        }
        if (closed) return false; // a row after the catch-all would never match
        open = !row.everywhere();
        closed = row.everywhere();
    }
    return closed;
}

constexpr bool everyGuidedErrorCovered() {
    for (WizardError error : guided)
        if (!endsWithCatchAll(error)) return false;
    return true;
}
static_assert(everyGuidedErrorCovered(),
              "every guided error has its rows together, ending with one for everywhere");

constexpr bool onlyGuidedErrors() {
    for (const GuidanceRow& row : rows) {
        bool found = false;
        for (WizardError error : guided)
            found = found || error == row.error;
        if (!found) return false;
    }
    return true;
}
static_assert(onlyGuidedErrors(), "rows only for the errors listed in `guided`");

} // namespace

bool isGuided(WizardError error) {
    for (WizardError listed : guided)
        if (listed == error) return true;
    return false;
}

Guidance guidance(WizardError error, const EnvironmentReport& where, Language language) {
    for (const GuidanceRow& row : rows) {
        if (row.error != error || !row.matches(where)) continue;
        const std::string_view own = language == Language::Turkish ? row.turkish : row.english;
        return {own.empty() ? message(error, language) : own, row.anchor};
    }
    return {message(error, language), {}};
}

std::span<const GuidanceRow> guidanceRows() {
    return rows;
}

} // namespace kamusm::wizard
