// Exact guidance: what the holder is told when the environment stands in the way (no WebUSB,
// no https, the protected class, a driver or service in the way, a permission refused, the
// helper missing, the reader gone), for the deployment, system and browser at hand, with the
// anchor of the help page's section (web/help.html) that says more.
//
// The situations and the errors they arrive as (the usb → wizard mapping of errors.cpp):
//   no WebUSB: NoWebUsb; insecure context: InsecureContext; protected class: UsbAccessDenied;
//   interface busy: UsbBusy (Linux: pcscd); OS driver holds the reader: UsbBusy on Windows and
//   macOS, UsbOpenDenied on Windows (not WinUSB); access denied by the OS: UsbOpenDenied;
//   Web Smart Card permission denied: SmartCardDenied, SmartCardNotAllowed; no PC/SC service:
//   PcscUnavailable; helper missing: HelperMissing (and HelperStopped); reader gone:
//   ReaderUnplugged (and CardInUse).
#pragma once

#include "kamusm/wizard/environment.hpp"
#include "kamusm/wizard/errors.hpp"
#include "kamusm/wizard/messages.hpp"

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

namespace kamusm::wizard {

// A set of values of a small enum, as bits.
template <typename Enum, int count> class Choice {
public:
    constexpr Choice(std::initializer_list<Enum> values) {
        for (Enum value : values)
            bits_ |= bit(value);
    }
    static constexpr Choice all() {
        Choice every({});
        every.bits_ = (std::uint32_t{1} << count) - 1;
        return every;
    }
    constexpr bool has(Enum value) const { return (bits_ & bit(value)) != 0; }
    constexpr bool isAll() const { return bits_ == all().bits_; }

private:
    static constexpr std::uint32_t bit(Enum value) {
        return std::uint32_t{1} << static_cast<int>(value);
    }
    std::uint32_t bits_ = 0;
};
using Deployments = Choice<Deployment, deploymentCount>;
using Systems = Choice<System, systemCount>;
using Browsers = Choice<Browser, browserCount>;

// One row: for `error` where the environment is in all three sets, this text (empty: the
// error's general message, messages.hpp) and this help anchor. The first matching row wins;
// each guided error's last row matches everywhere.
struct GuidanceRow {
    WizardError error;
    Deployments deployments;
    Systems systems;
    Browsers browsers;
    std::string_view turkish;
    std::string_view english;
    std::string_view anchor;

    constexpr bool matches(const EnvironmentReport& where) const {
        return deployments.has(where.deployment) && systems.has(where.system) &&
               browsers.has(where.browser);
    }
    constexpr bool everywhere() const {
        return deployments.isAll() && systems.isAll() && browsers.isAll();
    }
};

struct Guidance {
    std::string_view text;   // what happened and what to do, here
    std::string_view anchor; // web/help.html#anchor; empty for errors the table does not guide
};

// The message for `error` in `where`: its row's, or for an error the table does not guide the
// general message alone.
Guidance guidance(WizardError error, const EnvironmentReport& where, Language language);
bool isGuided(WizardError error);
// Every row, in order (tests walk them all).
std::span<const GuidanceRow> guidanceRows();

} // namespace kamusm::wizard
