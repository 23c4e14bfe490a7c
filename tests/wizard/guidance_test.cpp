// The guidance table row by row: every row is reached by an environment of its own, gives its
// text (or the error's general message) and a help anchor that web/help.html has.
#include "kamusm/wizard/guidance.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

using namespace kamusm::wizard;

namespace {

// An environment the row matches and no earlier row of its error does.
std::optional<EnvironmentReport> environmentFor(std::size_t index) {
    const auto rows = guidanceRows();
    const GuidanceRow& row = rows[index];
    for (int d = 0; d < deploymentCount; ++d)
        for (int s = 0; s < systemCount; ++s)
            for (int b = 0; b < browserCount; ++b) {
                EnvironmentReport where{true,
                                        true,
                                        false,
                                        static_cast<Deployment>(d),
                                        static_cast<System>(s),
                                        static_cast<Browser>(b)};
                if (!row.matches(where)) continue;
                bool earlier = false;
                for (std::size_t i = 0; i < index; ++i)
                    earlier = earlier || (rows[i].error == row.error && rows[i].matches(where));
                if (!earlier) return where;
            }
    return std::nullopt;
}

std::string helpPage() {
    std::ifstream file(std::string(KAMUSM_SOURCE_DIR) + "/web/help.html");
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

} // namespace

TEST_CASE("every row is reached, with its own text or the general message, and its anchor") {
    const auto rows = guidanceRows();
    REQUIRE(rows.size() >= 30);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const GuidanceRow& row = rows[i];
        CAPTURE(i);
        CAPTURE(errorId(row.error));
        const std::optional<EnvironmentReport> where = environmentFor(i);
        REQUIRE_MESSAGE(where, "the rows before it cover this row's whole environment");
        for (Language language : {Language::Turkish, Language::English}) {
            const Guidance shown = guidance(row.error, *where, language);
            const std::string_view own = language == Language::Turkish ? row.turkish : row.english;
            CHECK(shown.text == (own.empty() ? message(row.error, language) : own));
            CHECK(shown.anchor == row.anchor);
        }
        CHECK(row.turkish.empty() == row.english.empty());
        if (!row.turkish.empty()) CHECK(row.turkish != row.english);
    }
}

TEST_CASE("every help anchor is a section of web/help.html") {
    const std::string page = helpPage();
    REQUIRE_FALSE(page.empty());
    for (const GuidanceRow& row : guidanceRows()) {
        CAPTURE(row.anchor);
        CHECK(page.find("id=\"" + std::string(row.anchor) + "\"") != std::string::npos);
    }
}

TEST_CASE("the issue's situations are guided; other errors keep their message, no anchor") {
    for (WizardError error :
         {WizardError::NoWebUsb, WizardError::InsecureContext, WizardError::UsbAccessDenied,
          WizardError::UsbBusy, WizardError::UsbOpenDenied, WizardError::SmartCardDenied,
          WizardError::PcscUnavailable, WizardError::HelperMissing, WizardError::ReaderUnplugged})
        CHECK(isGuided(error));
    const EnvironmentReport linux{true,          true,           false, Deployment::Page,
                                  System::Linux, Browser::Chrome};
    const Guidance wrongOtp = guidance(WizardError::WrongOtp, linux, Language::English);
    CHECK_FALSE(isGuided(WizardError::WrongOtp));
    CHECK(wrongOtp.text == message(WizardError::WrongOtp, Language::English));
    CHECK(wrongOtp.anchor.empty());
}

TEST_CASE("the same error, told apart by system and deployment") {
    const auto on = [](Deployment deployment, System system) {
        return EnvironmentReport{true, true, false, deployment, system, Browser::Chrome};
    };
    const auto text = [](WizardError error, EnvironmentReport where) {
        return std::string(guidance(error, where, Language::English).text);
    };
    CHECK(text(WizardError::UsbBusy, on(Deployment::Page, System::Linux)).find("pcscd") !=
          std::string::npos);
    CHECK(text(WizardError::UsbBusy, on(Deployment::Page, System::Windows)).find("Windows") !=
          std::string::npos);
    CHECK(text(WizardError::UsbOpenDenied, on(Deployment::Page, System::Linux)).find("udev") !=
          std::string::npos);
    CHECK(text(WizardError::UsbOpenDenied, on(Deployment::Page, System::Windows)).find("WinUSB") !=
          std::string::npos);
    CHECK(text(WizardError::PcscUnavailable, on(Deployment::Page, System::Windows))
              .find("SCardSvr") != std::string::npos);
    CHECK(text(WizardError::UsbAccessDenied, on(Deployment::IsolatedApp, System::ChromeOs))
              .find("usb-unrestricted") != std::string::npos);
    CHECK(text(WizardError::SmartCardDenied, on(Deployment::Kiosk, System::ChromeOs))
              .find("SmartCardConnectAllowedForUrls") != std::string::npos);
    CHECK(text(WizardError::UsbAccessDenied, on(Deployment::Kiosk, System::Linux)).find("staff") !=
          std::string::npos);
}
