#include "reader_firmware.hpp"

#include <algorithm>
#include <stdexcept>

namespace kamusm::sim {

using ccid::CommandStatus;
namespace PC_to_RDR = ccid::PC_to_RDR;
namespace RDR_to_PC = ccid::RDR_to_PC;

namespace {

Outcome failed(std::uint8_t bError) {
    return {CommandStatus::Failed, bError, 0, {}, 0};
}
Outcome processed(Bytes abData = {}, std::uint8_t specific2 = 0) {
    return {CommandStatus::Processed, 0, specific2, std::move(abData), 0};
}
Outcome answered(const CardExchange& exchange) {
    Outcome outcome = processed(exchange.reply);
    outcome.timeExtension = exchange.timeExtension;
    return outcome;
}

// bChainParameter of a DataBlock (CCID §6.2.1) and wLevelParameter of an XfrBlock (§6.1.4).
namespace Chain {
inline constexpr std::uint8_t whole = 0x00, begins = 0x01, ends = 0x02, continues = 0x03,
                              moreCommand = 0x10;
}
namespace Level {
inline constexpr std::uint16_t whole = 0x0000, begins = 0x0001, ends = 0x0002, continues = 0x0003,
                               moreResponse = 0x0010;
}

// bPowerSelect 1, 2, 3 and their bVoltageSupport bits; automatic selection starts with the
// lowest class (ISO/IEC 7816-3 §6.2.4).
constexpr std::uint8_t voltageBit[] = {0x00, 0x01, 0x02, 0x04};
constexpr std::uint8_t lowestClassFirst[] = {0x04, 0x02, 0x01};

// bClockStatus: a deactivated card's clock rests in state L.
constexpr std::uint8_t clockRunning = 0x00, clockStoppedLow = 0x01;

std::uint16_t wLevelParameter(const ccid::Message& command) {
    return static_cast<std::uint16_t>(command.specific[1] | command.specific[2] << 8);
}

} // namespace

struct Firmware::Command {
    std::uint8_t bMessageType;
    std::uint8_t replyType;
    Handler handler;
};

// Clock stop (dwFeatures 0x100), a PIN pad (bPINSupport) and mechanics (dwMechanical) are
// announced by none of the modelled readers, so those commands are not supported.
const Firmware::Command Firmware::commands[] = {
    {PC_to_RDR::IccPowerOn, RDR_to_PC::DataBlock, &Firmware::iccPowerOn},
    {PC_to_RDR::IccPowerOff, RDR_to_PC::SlotStatus, &Firmware::iccPowerOff},
    {PC_to_RDR::GetSlotStatus, RDR_to_PC::SlotStatus, &Firmware::getSlotStatus},
    {PC_to_RDR::XfrBlock, RDR_to_PC::DataBlock, &Firmware::xfrBlock},
    {PC_to_RDR::GetParameters, RDR_to_PC::Parameters, &Firmware::getParameters},
    {PC_to_RDR::ResetParameters, RDR_to_PC::Parameters, &Firmware::resetParameters},
    {PC_to_RDR::SetParameters, RDR_to_PC::Parameters, &Firmware::setParameters},
    {PC_to_RDR::Escape, RDR_to_PC::Escape, &Firmware::escape},
    {PC_to_RDR::IccClock, RDR_to_PC::SlotStatus, &Firmware::notSupported},
    {PC_to_RDR::T0APDU, RDR_to_PC::SlotStatus, &Firmware::t0Apdu},
    {PC_to_RDR::Secure, RDR_to_PC::DataBlock, &Firmware::notSupported},
    {PC_to_RDR::Mechanical, RDR_to_PC::SlotStatus, &Firmware::notSupported},
    {PC_to_RDR::Abort, RDR_to_PC::SlotStatus, &Firmware::abort},
    {PC_to_RDR::SetDataRateAndClockFrequency, RDR_to_PC::DataRateAndClockFrequency,
     &Firmware::setDataRateAndClockFrequency},
};

Firmware::Firmware(ccid::ClassDescriptor descriptor,
                   std::vector<std::shared_ptr<VirtualCard>> cards, Faults& faults,
                   LineStatistics& statistics)
    : descriptor_(descriptor), faults_(faults), statistics_(statistics) {
    const std::size_t count = descriptor_.bMaxSlotIndex + 1u;
    if (cards.size() > count) throw std::invalid_argument("more cards than the reader has slots");
    cards.resize(count);
    for (auto& card : cards) {
        Slot& slot = slots_.emplace_back(descriptor_.dwDefaultClock * 1000.0);
        slot.card = std::move(card);
        slot.presentSeen = present(slot);
        slot.classGetResponse = descriptor_.bClassGetResponse;
    }
}

Firmware::~Firmware() = default;

bool Firmware::present(const Slot& slot) const {
    return slot.card && !faults_.cardRemoved;
}

std::uint8_t Firmware::iccStatus(const Slot& slot) const {
    const auto status = !present(slot) ? ccid::IccStatus::Absent
                        : slot.powered ? ccid::IccStatus::PresentActive
                                       : ccid::IccStatus::PresentInactive;
    return static_cast<std::uint8_t>(status);
}

void Firmware::powerDown(Slot& slot) {
    if (slot.powered && slot.card) slot.card->reset();
    slot.powered = false;
    slot.link.reset();
    slot.atr.reset();
    setRate(slot, Line::defaultFidi);
    slot.cardFidi = Line::defaultFidi;
    slot.ppsAllowed = false;
    slot.abortPending = false;
    slot.commandChunks.clear();
    slot.commandChaining = false;
    slot.responseRest.clear();
}

bool Firmware::syncPresence() {
    bool pending = false;
    for (Slot& slot : slots_) {
        if (present(slot) != slot.presentSeen) {
            slot.presentSeen = present(slot);
            slot.changed = true;
            if (!slot.presentSeen) powerDown(slot);
        }
        pending = pending || slot.changed;
    }
    return pending;
}

Bytes Firmware::takeSlotChanges() {
    Bytes state((slots_.size() * 2 + 7) / 8, 0);
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const int shift = static_cast<int>(i % 4 * 2);
        state[i / 4] |= static_cast<std::uint8_t>((slots_[i].presentSeen ? 1 : 0) << shift |
                                                  (slots_[i].changed ? 2 : 0) << shift);
        slots_[i].changed = false;
    }
    return state;
}

void Firmware::setCard(std::uint8_t slot, std::shared_ptr<VirtualCard> card) {
    if (slot >= slots_.size()) throw std::out_of_range("no such slot");
    if (slots_[slot].card) powerDown(slots_[slot]);
    slots_[slot].card = std::move(card);
    syncPresence();
}

void Firmware::reset() {
    for (Slot& slot : slots_)
        powerDown(slot);
}

void Firmware::controlAbort(std::uint8_t slot) {
    if (slot < slots_.size()) slots_[slot].abortPending = true;
}

std::optional<Reply> Firmware::receive(ByteView bulkOut) {
    if (bulkOut.size() < ccid::headerSize) return std::nullopt; // not even a header to answer
    syncPresence();
    const std::uint8_t type = bulkOut[0], bSlot = bulkOut[5];
    const Command* command = std::find_if(std::begin(commands), std::end(commands),
                                          [&](const Command& c) { return c.bMessageType == type; });
    const bool known = command != std::end(commands);
    ccid::Message reply{
        known ? command->replyType : RDR_to_PC::SlotStatus, bSlot, bulkOut[6], {}, {}};

    Outcome outcome;
    Slot* slot = bSlot < slots_.size() ? &slots_[bSlot] : nullptr;
    if (readLittle32(bulkOut, 1) != bulkOut.size() - ccid::headerSize ||
        bulkOut.size() > descriptor_.dwMaxCCIDMessageLength)
        outcome = failed(SlotError::dwLengthOffset);
    else if (!slot)
        outcome = failed(SlotError::bSlotOffset);
    else if (!known)
        outcome = failed(SlotError::CMD_NOT_SUPPORTED);
    else if (slot->abortPending && type != PC_to_RDR::Abort)
        outcome = failed(SlotError::CMD_ABORTED);
    else {
        ccid::Message message = ccid::Message::decode(bulkOut);
        const WipeOnExit wipeData(message.abData); // commands may carry a PIN
        outcome = (this->*command->handler)(*slot, message);
    }

    const std::uint8_t icc =
        slot ? iccStatus(*slot) : static_cast<std::uint8_t>(ccid::IccStatus::Absent);
    reply.specific = {static_cast<std::uint8_t>(static_cast<int>(outcome.status) << 6 | icc),
                      outcome.bError, outcome.specific2};
    reply.abData = std::move(outcome.abData);
    return Reply{std::move(reply), outcome.timeExtension};
}

// --- Power ------------------------------------------------------------------------------------

// The failure of powering on at bPowerSelect, if any.
std::optional<Outcome> Firmware::voltageFailure(std::uint8_t bPowerSelect) const {
    if (bPowerSelect >= std::size(voltageBit)) return failed(SlotError::bPowerSelectOffset);
    const std::uint8_t supported = descriptor_.bVoltageSupport;
    if (bPowerSelect == 0 || descriptor_.autoVoltage()) {
        const bool common = std::any_of(
            std::begin(lowestClassFirst), std::end(lowestClassFirst),
            [&](std::uint8_t bit) { return (supported & faults_.cardVoltages & bit) != 0; });
        if (!common) return failed(SlotError::ICC_CLASS_NOT_SUPPORTED);
        return std::nullopt;
    }
    const std::uint8_t bit = voltageBit[bPowerSelect];
    if (!(supported & bit)) return failed(SlotError::bPowerSelectOffset);
    // The card stays silent at a class it does not take.
    if (!(faults_.cardVoltages & bit)) return failed(SlotError::ICC_MUTE);
    return std::nullopt;
}

Outcome Firmware::iccPowerOn(Slot& slot, const ccid::Message& command) {
    if (!present(slot)) return failed(SlotError::ICC_MUTE);
    if (auto failure = voltageFailure(command.specific[0])) {
        powerDown(slot);
        return *failure;
    }
    if (faults_.overcurrents > 0) {
        --faults_.overcurrents;
        powerDown(slot);
        hardwareErrors_.push_back({RDR_to_PC::HardwareError,
                                   {},
                                   command.bSlot,
                                   command.bSeq,
                                   0x01}); // bHardwareErrorCode 01: overcurrent
        return failed(SlotError::HW_ERROR);
    }
    if (faults_.muteCard) {
        powerDown(slot);
        return failed(SlotError::ICC_MUTE);
    }
    activate(slot);
    return processed(slot.atr->raw);
}

void Firmware::activate(Slot& slot) {
    if (slot.powered) slot.card->reset(); // a second IccPowerOn is a warm reset
    const Bytes atrBytes = slot.card->atr();
    slot.atr = iso7816::parseAtr(atrBytes);
    slot.powered = true;
    slot.line.setExtraGuardTime(slot.atr->extraGuardTime());
    setRate(slot, Line::defaultFidi);
    slot.cardFidi = Line::defaultFidi;
    slot.commandChunks.clear();
    slot.commandChaining = false;
    slot.responseRest.clear();
    countLine(slot, atrBytes.size(), CharacterFrame::T0);
    slot.link = makeCardLink(*slot.card, *slot.atr, faults_);
    slot.ppsAllowed = true;
    parametersFromAtr(slot);
    if (descriptor_.dwFeatures & ccid::Feature::AutoParameterNegotiation) {
        if (const auto fidi = bestRateFor(*slot.atr)) negotiate(slot, *fidi);
        slot.ppsAllowed = false;
    }
    slot.protocolStarted = false;
}

void Firmware::parametersFromAtr(Slot& slot) {
    const iso7816::Atr& atr = *slot.atr;
    const auto protocols = atr.protocols();
    slot.protocol = protocols.empty() ? 0 : protocols.front();
    const std::uint8_t inverse = atr.convention == iso7816::Convention::Inverse ? 0x02 : 0x00;
    const auto guard = static_cast<std::uint8_t>(atr.extraGuardTime());
    slot.t0 = {slot.line.fidi(), inverse, guard, static_cast<std::uint8_t>(atr.wi()), 0x00};
    slot.t1 = {slot.line.fidi(),
               static_cast<std::uint8_t>(0x10 | inverse | (atr.crc() ? 0x01 : 0x00)),
               guard,
               static_cast<std::uint8_t>(atr.bwi() << 4 | atr.cwi()),
               0x00,
               static_cast<std::uint8_t>(atr.ifsc()),
               0x00};
}

Outcome Firmware::iccPowerOff(Slot& slot, const ccid::Message&) {
    powerDown(slot);
    return processed({}, clockStoppedLow);
}

Outcome Firmware::getSlotStatus(Slot& slot, const ccid::Message&) {
    return processed({}, slot.powered ? clockRunning : clockStoppedLow);
}

// --- Rates and parameters ------------------------------------------------------------------------

bool Firmware::rateSupported(std::uint8_t fidi) const {
    const double rate = dataRate(fidi, descriptor_.dwDefaultClock * 1000.0);
    return rate > 0 && rate <= descriptor_.dwMaxDataRate;
}

// The card's TA1, with Di lowered step by step until the reader can go that fast.
std::optional<std::uint8_t> Firmware::bestRateFor(const iso7816::Atr& atr) const {
    std::uint8_t fidi = atr.ta1().value_or(Line::defaultFidi);
    while (!rateSupported(fidi) && (fidi & 0x0F) > 0x01 && (fidi & 0x0F) <= 0x07)
        --fidi;
    return rateSupported(fidi) ? std::optional(fidi) : std::nullopt;
}

bool Firmware::negotiate(Slot& slot, std::uint8_t fidi) {
    if (fidi == slot.cardFidi) {
        setRate(slot, fidi);
        return true;
    }
    const auto pps0 = static_cast<std::uint8_t>(0x10 | slot.protocol);
    const Bytes request{0xFF, pps0, fidi, static_cast<std::uint8_t>(0xFF ^ pps0 ^ fidi)};
    const auto response = slot.link->pps(request);
    countLine(slot, request.size() + (response ? response->size() : 0), CharacterFrame::T0);
    slot.ppsAllowed = false;
    if (!response || *response != request) return false;
    slot.cardFidi = fidi;
    setRate(slot, fidi);
    slot.t0.bmFindexDindex = slot.t1.bmFindexDindex = fidi;
    return true;
}

Outcome Firmware::parametersReply(const Slot& slot) const {
    return processed(slot.protocol == 1 ? slot.t1.encode() : slot.t0.encode(),
                     static_cast<std::uint8_t>(slot.protocol));
}

Outcome Firmware::getParameters(Slot& slot, const ccid::Message&) {
    return parametersReply(slot);
}

Outcome Firmware::resetParameters(Slot& slot, const ccid::Message&) {
    setRate(slot, Line::defaultFidi);
    if (slot.atr) {
        parametersFromAtr(slot);
    } else {
        slot.t0 = {};
        slot.t1 = {};
    }
    return parametersReply(slot);
}

Outcome Firmware::setParameters(Slot& slot, const ccid::Message& command) {
    const std::uint8_t protocol = command.specific[0];
    if (protocol > 1 || !descriptor_.supportsProtocol(protocol))
        return failed(SlotError::bProtocolNumOffset);
    if (command.abData.size() != (protocol == 1 ? 7u : 5u))
        return failed(SlotError::dwLengthOffset);
    const std::uint8_t fidi = command.abData[0];
    if (!rateSupported(fidi)) return failed(SlotError::abDataOffset);
    if (slot.powered) {
        // An auto-PPS reader negotiates the new rate with the card; any other reader only
        // switches its own UART and relies on the host having done PPS through XfrBlock.
        const bool autoPps = descriptor_.dwFeatures & ccid::Feature::AutoPps;
        if (autoPps && fidi != slot.cardFidi) {
            if (!slot.ppsAllowed || !negotiate(slot, fidi)) return failed(SlotError::abDataOffset);
        }
        setRate(slot, fidi);
    }
    slot.protocol = protocol;
    if (protocol == 1)
        slot.t1 = ccid::T1Parameters::decode(command.abData);
    else
        slot.t0 = ccid::T0Parameters::decode(command.abData);
    return parametersReply(slot);
}

Outcome Firmware::setDataRateAndClockFrequency(Slot& slot, const ccid::Message& command) {
    if (command.abData.size() != 8) return failed(SlotError::dwLengthOffset);
    // Every modelled reader sets clock and rate itself (dwFeatures 0x10, 0x20): it answers
    // with the values in force.
    Bytes values;
    appendLittle32(values, descriptor_.dwDefaultClock);
    appendLittle32(values, static_cast<std::uint32_t>(
                               dataRate(slot.line.fidi(), descriptor_.dwDefaultClock * 1000.0)));
    return processed(std::move(values));
}

// --- Other commands ------------------------------------------------------------------------------

Outcome Firmware::escape(Slot&, const ccid::Message& command) {
    return processed(command.abData); // the virtual firmware echoes vendor commands
}

Outcome Firmware::t0Apdu(Slot& slot, const ccid::Message& command) {
    if (descriptor_.exchangeLevel() == ccid::ExchangeLevel::Tpdu)
        return failed(SlotError::CMD_NOT_SUPPORTED);
    // bmChanges bit 0: bClassGetResponse follows. No ENVELOPE: the card takes short APDUs only.
    if (command.specific[0] & 0x01) slot.classGetResponse = command.specific[1];
    return processed();
}

Outcome Firmware::abort(Slot& slot, const ccid::Message&) {
    slot.abortPending = false;
    return processed();
}

Outcome Firmware::notSupported(Slot&, const ccid::Message&) {
    return failed(SlotError::CMD_NOT_SUPPORTED);
}

// --- XfrBlock ------------------------------------------------------------------------------------

Outcome Firmware::xfrBlock(Slot& slot, const ccid::Message& command) {
    if (!present(slot) || !slot.powered || faults_.muteCard) return failed(SlotError::ICC_MUTE);
    const bool extended = descriptor_.exchangeLevel() == ccid::ExchangeLevel::ExtendedApdu;
    if (!extended && wLevelParameter(command) != Level::whole)
        return failed(SlotError::wLevelParameterOffset);
    Outcome outcome;
    try {
        outcome = descriptor_.exchangeLevel() == ccid::ExchangeLevel::Tpdu
                      ? tpdu(slot, command.abData)
                  : extended ? extendedApdu(slot, command)
                             : apdu(slot, command.abData);
    } catch (const CardFailure& failure) {
        return failed(failure.bError);
    }
    if (outcome.status == CommandStatus::Processed && faults_.parityErrors > 0) {
        --faults_.parityErrors; // the card answered, the reader lost its reply on the line
        Outcome parity = failed(SlotError::XFR_PARITY_ERROR);
        parity.timeExtension = outcome.timeExtension;
        return parity;
    }
    return outcome;
}

Outcome Firmware::tpdu(Slot& slot, ByteView data) {
    if (slot.line.fidi() != slot.cardFidi) { // the card hears noise and stays silent
        countLine(slot, data.size(), CharacterFrame::T0);
        throw CardFailure();
    }
    if (slot.ppsAllowed && !data.empty() && data[0] == 0xFF) return pps(slot, data);
    slot.ppsAllowed = false;
    const CardExchange exchange =
        slot.protocol == 1 ? slot.link->block(data) : slot.link->tpdu(data);
    countLine(slot, exchange.lineCharacters,
              slot.protocol == 1 ? CharacterFrame::T1 : CharacterFrame::T0);
    return answered(exchange);
}

// PPS from the host (a reader without auto-PPS): the card answers; the reader's own rate
// follows only when the host sends SetParameters.
Outcome Firmware::pps(Slot& slot, ByteView request) {
    slot.ppsAllowed = false;
    const auto response = slot.link->pps(request);
    countLine(slot, request.size() + (response ? response->size() : 0), CharacterFrame::T0);
    if (!response) throw CardFailure();
    if (response->size() >= 3 && (*response)[1] & 0x10) slot.cardFidi = (*response)[2];
    return processed(*response);
}

Outcome Firmware::apdu(Slot& slot, ByteView command) {
    if (slot.line.fidi() != slot.cardFidi) throw CardFailure();
    const CharacterFrame frame = slot.protocol == 1 ? CharacterFrame::T1 : CharacterFrame::T0;
    if (!slot.protocolStarted) {
        // An APDU-level reader runs the card protocol itself, starting with its IFSD; this
        // waits for the first APDU so that the host's SetParameters can still have the
        // reader send a PPS.
        slot.protocolStarted = true;
        slot.ppsAllowed = false;
        countLine(slot, slot.link->startAtApduLevel(static_cast<int>(descriptor_.dwMaxIFSD)),
                  frame);
    }
    const CardExchange exchange = slot.link->apdu(command, slot.classGetResponse);
    countLine(slot, exchange.lineCharacters, frame);
    return answered(exchange);
}

Outcome Firmware::extendedApdu(Slot& slot, const ccid::Message& command) {
    switch (wLevelParameter(command)) {
    case Level::whole:
        slot.commandChaining = false;
        slot.responseRest.clear();
        return responseChunk(slot, apdu(slot, command.abData));
    case Level::begins:
        slot.commandChunks = command.abData;
        slot.commandChaining = true;
        slot.responseRest.clear();
        return processed({}, Chain::moreCommand);
    case Level::continues:
    case Level::ends: {
        if (!slot.commandChaining) return failed(SlotError::wLevelParameterOffset);
        slot.commandChunks.insert(slot.commandChunks.end(), command.abData.begin(),
                                  command.abData.end());
        if (wLevelParameter(command) == Level::continues) return processed({}, Chain::moreCommand);
        slot.commandChaining = false;
        const Bytes whole = std::exchange(slot.commandChunks, {});
        return responseChunk(slot, apdu(slot, whole));
    }
    case Level::moreResponse:
        if (slot.responseRest.empty()) return failed(SlotError::wLevelParameterOffset);
        return responseChunk(slot, processed(std::exchange(slot.responseRest, {})), true);
    default:
        return failed(SlotError::wLevelParameterOffset);
    }
}

// A response longer than one message leaves in pieces of dwMaxCCIDMessageLength - 10 bytes.
Outcome Firmware::responseChunk(Slot& slot, Outcome response, bool continuation) {
    const std::size_t room = descriptor_.dwMaxCCIDMessageLength - ccid::headerSize;
    Bytes& data = response.abData;
    if (data.size() <= room) {
        response.specific2 = continuation ? Chain::ends : Chain::whole;
        return response;
    }
    slot.responseRest.assign(data.begin() + static_cast<std::ptrdiff_t>(room), data.end());
    data.resize(room);
    response.specific2 = continuation ? Chain::continues : Chain::begins;
    return response;
}

// --- Line accounting -----------------------------------------------------------------------------

void Firmware::setRate(Slot& slot, std::uint8_t fidi) {
    slot.line.setFidi(fidi);
    statistics_.fidi = fidi;
}

void Firmware::countLine(Slot& slot, std::size_t count, CharacterFrame frame) {
    statistics_.cardBytes += count;
    statistics_.wireSeconds += slot.line.seconds(count, frame);
}

} // namespace kamusm::sim
