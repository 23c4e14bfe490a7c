#include "endpoint.hpp"

#include <array>
#include <limits>

namespace kamusm::sim::vpcd {

namespace {

struct ControlRow {
    Control command;
    const char* name;
    bool resetsCard; // power off, power on and reset all end the card's security state
};
constexpr std::array<ControlRow, 4> controls{{
    {Control::PowerOff, "power off", true},
    {Control::PowerOn, "power on", true},
    {Control::Reset, "reset", true},
    {Control::GetAtr, "get ATR", false},
}};

// The header of a command, for logs: the data may be a PIN and is only counted.
std::string describeApdu(ByteView command) {
    std::string text =
        "APDU " + toHex(command.first(std::min<std::size_t>(4, command.size())), ' ');
    if (command.size() > 5) text += " (" + std::to_string(command.size() - 5) + " data bytes)";
    return text;
}

} // namespace

Bytes frame(ByteView payload) {
    if (payload.size() > std::numeric_limits<std::uint16_t>::max())
        throw ProtocolError("a vpcd message carries at most 65535 bytes, not " +
                            std::to_string(payload.size()));
    Bytes out{static_cast<std::uint8_t>(payload.size() >> 8),
              static_cast<std::uint8_t>(payload.size())};
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

Endpoint::Endpoint(std::shared_ptr<VirtualCard> card, std::optional<int> pullAtApdu)
    : card_(std::move(card)), pullAtApdu_(pullAtApdu) {}

void Endpoint::inserted() {
    card_->reset();
    apdusSinceInsertion_ = 0;
    pullRequested_ = false;
}

std::optional<Bytes> Endpoint::handle(ByteView payload) {
    if (payload.empty()) throw ProtocolError("an empty vpcd message");
    if (payload.size() == 1) return control(payload[0]);
    return apdu(payload);
}

std::optional<Bytes> Endpoint::control(std::uint8_t command) {
    for (const ControlRow& row : controls) {
        if (static_cast<std::uint8_t>(row.command) != command) continue;
        lastEvent_ = row.name;
        if (row.resetsCard) card_->reset();
        if (row.command == Control::GetAtr) return card_->atr();
        return std::nullopt;
    }
    throw ProtocolError("unknown vpcd control byte " + toHex(Bytes{command}));
}

std::optional<Bytes> Endpoint::apdu(ByteView command) {
    lastEvent_ = describeApdu(command);
    ++apdusSeen_;
    if (pullAtApdu_ && ++apdusSinceInsertion_ == *pullAtApdu_) {
        pullAtApdu_.reset(); // once: the card put back afterwards stays in
        pullRequested_ = true;
        lastEvent_ += ": card pulled out instead of answering";
        return std::nullopt;
    }
    return card_->process(command).encode();
}

} // namespace kamusm::sim::vpcd
