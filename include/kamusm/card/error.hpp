#pragma once

#include "kamusm/base/error.hpp"

#include <cstdint>
#include <optional>

namespace kamusm::card {

enum class ErrorCode {
    NotKamusmCard,        // the ATR is not an AKIS e-signature card's
    FileNotFound,         // 6A82: the card has no such application or certificate
    WrongPin,             // 63Cx: triesLeft() tells how many remain
    PinBlocked,           // 6983 on a PIN command
    PinNotSet,            // 6984: a factory-fresh card
    PinFormat,            // 6700 / 6A80: the card refused the PIN's length or characters
    SecurityNotSatisfied, // 6982: the operation needs a verified PIN
    AuthorizationRefused, // 63Cx to EXTERNAL AUTHENTICATE: triesLeft() admin key tries remain
    AuthorizationBlocked, // 6983 to EXTERNAL AUTHENTICATE: the card accepts no more cryptograms
    MalformedData,        // the card answered with data that does not parse
    UnexpectedStatus,     // any other status word; statusWord() has it
};

inline constexpr char layerName[] = "card";
class Error : public LayerError<ErrorCode, layerName> {
public:
    Error(ErrorCode code, const std::string& detail, std::uint16_t statusWord = 0,
          std::optional<int> triesLeft = {})
        : LayerError(code, detail), statusWord_(statusWord), triesLeft_(triesLeft) {}
    std::uint16_t statusWord() const { return statusWord_; }
    std::optional<int> triesLeft() const { return triesLeft_; }

private:
    std::uint16_t statusWord_;
    std::optional<int> triesLeft_;
};

} // namespace kamusm::card
