// Every row of the guidance table through the app: the environment the platform reports, the
// failure arriving from the layer below as it does in the browser (a typed usb, pcsc or reader
// error from a fake transport, or the environment itself), and the screen showing the row's
// text, its help anchor and the help button.
#include "app_rig.hpp"

#include "kamusm/pcsc/error.hpp"
#include "kamusm/usb/error.hpp"
#include "kamusm/wizard/guidance.hpp"

#include <exception>
#include <functional>
#include <map>

using namespace kamusm;
using namespace kamusm::ui;
using namespace kamusm::ui::test;
using wizard::Language;
using wizard::WizardError;

namespace {

struct Failure {
    reader::TransportKind transport;
    std::exception_ptr why;
};

// How each guided reader-step error reaches the wizard from below.
const std::map<WizardError, Failure>& failures() {
    using K = reader::TransportKind;
    static const std::map<WizardError, Failure> table{
        {WizardError::UsbAccessDenied,
         {K::WebUsb, std::make_exception_ptr(usb::Error(usb::ErrorCode::AccessDenied, "claim"))}},
        {WizardError::UsbBusy,
         {K::WebUsb, std::make_exception_ptr(usb::Error(usb::ErrorCode::Busy, "claim"))}},
        {WizardError::UsbOpenDenied,
         {K::WebUsb, std::make_exception_ptr(usb::Error(usb::ErrorCode::OpenDenied, "open"))}},
        {WizardError::SmartCardDenied,
         {K::SmartCard, std::make_exception_ptr(pcsc::Error(pcsc::ErrorCode::NotAllowed, "no"))}},
        {WizardError::SmartCardNotAllowed,
         {K::SmartCard, std::make_exception_ptr(pcsc::Error(pcsc::ErrorCode::Security, "no"))}},
        {WizardError::PcscUnavailable,
         {K::Helper, std::make_exception_ptr(pcsc::Error(pcsc::ErrorCode::NoService, "none"))}},
        {WizardError::HelperMissing,
         {K::Helper,
          std::make_exception_ptr(pcsc::Error(pcsc::ErrorCode::HelperNotInstalled, "none"))}},
        {WizardError::HelperStopped,
         {K::Helper, std::make_exception_ptr(pcsc::Error(pcsc::ErrorCode::HelperExited, "gone"))}},
        {WizardError::CardInUse,
         {K::SmartCard,
          std::make_exception_ptr(pcsc::Error(pcsc::ErrorCode::SharingViolation, "held"))}},
        {WizardError::ReaderUnplugged,
         {K::WebUsb,
          std::make_exception_ptr(reader::Error(reader::ErrorCode::ReaderLost, "unplugged"))}},
    };
    return table;
}

// An environment of the row's own (matched by no earlier row of its error).
wizard::EnvironmentReport environmentFor(std::size_t index) {
    const auto rows = wizard::guidanceRows();
    for (int d = 0; d < wizard::deploymentCount; ++d)
        for (int s = 0; s < wizard::systemCount; ++s)
            for (int b = 0; b < wizard::browserCount; ++b) {
                wizard::EnvironmentReport where{true,
                                                true,
                                                false,
                                                static_cast<wizard::Deployment>(d),
                                                static_cast<wizard::System>(s),
                                                static_cast<wizard::Browser>(b)};
                bool earlier = false;
                for (std::size_t i = 0; i < index; ++i)
                    earlier =
                        earlier || (rows[i].error == rows[index].error && rows[i].matches(where));
                if (rows[index].matches(where) && !earlier) return where;
            }
    FAIL("row ", index, " is never reached");
    return {};
}

} // namespace

TEST_CASE("every guidance row on the screen, from its failure in its environment") {
    const auto rows = wizard::guidanceRows();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const wizard::GuidanceRow& row = rows[i];
        CAPTURE(i);
        CAPTURE(wizard::errorId(row.error));
        wizard::EnvironmentReport where = environmentFor(i);
        if (row.error == WizardError::NoWebUsb) where.webUsb = false;
        if (row.error == WizardError::InsecureContext) where.secureContext = false;
        Rig rig(backend::Operation::Create, sim::demoCardSetup(), where);
        if (const auto found = failures().find(row.error); found != failures().end()) {
            rig.toReader();
            runSync(rig.owner.use(std::make_unique<reader::UnavailableTransport>(
                found->second.transport, found->second.why)));
            rig.host.run(rig.wizard.findCard());
            rig.app.update();
        }
        REQUIRE(rig.state().error == row.error);
        for (Language language : {Language::Turkish, Language::English}) {
            if (rig.app.language() != language) rig.press(Action::SwitchLanguage);
            const Screen screen = rig.app.screen();
            CHECK(screen.alert.starts_with(wizard::guidance(row.error, where, language).text));
            CHECK(screen.help == row.anchor);
        }
        REQUIRE(hasButton(rig.app.screen(), Action::OpenHelp));
        rig.press(Action::OpenHelp);
        REQUIRE(rig.host.helpOpened.size() == 1);
        CHECK(rig.host.helpOpened.front() == row.anchor);
    }
}

TEST_CASE("a kiosk without a help page shows the anchor but no help button") {
    wizard::EnvironmentReport kiosk{false,
                                    true,
                                    false,
                                    wizard::Deployment::Kiosk,
                                    wizard::System::Linux,
                                    wizard::Browser::Chromium};
    Rig rig(backend::Operation::Create, sim::demoCardSetup(), kiosk);
    rig.host.helpPage = false;
    rig.press(Action::CheckAgain);
    REQUIRE(rig.state().error == WizardError::NoWebUsb);
    CHECK_FALSE(rig.app.screen().help.empty());
    CHECK_FALSE(hasButton(rig.app.screen(), Action::OpenHelp));
}
