#include "kamusm/reader/transport.hpp"

#include <array>

namespace kamusm::reader {

namespace {

struct KindRow {
    TransportKind kind;
    std::string_view id;
    bool operatingSystem; // the OS's PC/SC stack carries the APDUs
};
constexpr std::array<KindRow, transportKindCount> kinds{{
    {TransportKind::SmartCard, "smartcard", true},
    {TransportKind::Helper, "helper", true},
    {TransportKind::WebUsb, "webusb", false},
    {TransportKind::Demo, "demo", false},
    {TransportKind::Pcsc, "pcsc", true},
    {TransportKind::Usb, "usb", false},
    {TransportKind::Sim, "sim", false},
}};

constexpr bool kindsInOrder() {
    for (std::size_t i = 0; i < kinds.size(); ++i)
        if (static_cast<std::size_t>(kinds[i].kind) != i) return false;
    return true;
}
static_assert(kindsInOrder(), "one row per TransportKind, in the enum's order");

} // namespace

std::string_view transportId(TransportKind kind) {
    return kinds[static_cast<std::size_t>(kind)].id;
}

bool throughOperatingSystem(TransportKind kind) {
    return kinds[static_cast<std::size_t>(kind)].operatingSystem;
}

Task<std::vector<Slot>> UnavailableTransport::slots() {
    std::rethrow_exception(why_);
    co_return std::vector<Slot>{};
}

Task<void> UnavailableTransport::waitForChange() {
    std::rethrow_exception(why_);
    co_return;
}

Task<std::unique_ptr<Card>> UnavailableTransport::connect(const std::string&) {
    std::rethrow_exception(why_);
    co_return nullptr;
}

} // namespace kamusm::reader
