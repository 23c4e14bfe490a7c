// The PC/SC readers and their cards as a list (pinctl pcsc list, pinctl doctor).
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/pcsc/context.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kamusm::cli {

struct ReaderRow {
    std::string name;
    Bytes atr;                           // empty: no card
    bool inUse = false;                  // a program (this one or another) is connected to the card
    std::optional<std::uint32_t> events; // the reader's event counter: cards in and out
};

// Every reader with the ATR of its card, asked without waiting.
std::vector<ReaderRow> readerRows(pcsc::Context& context);

} // namespace kamusm::cli
