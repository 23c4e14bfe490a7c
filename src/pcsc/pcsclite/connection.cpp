#include "connection.hpp"

#include <string>

namespace kamusm::pcsc {

namespace {

// The largest response an extended APDU can bring: 65536 data bytes and SW1 SW2.
constexpr std::size_t maxResponse = 65536 + 2;
// ISO 7816-3 caps an ATR at 33 bytes; some stacks ask for room to spare (MAX_ATR_SIZE 33/36).
constexpr std::size_t maxAtr = 36;
// pcsc-lite's MAX_BUFFER_SIZE_EXTENDED: the most a reader's answer to SCardControl can be.
constexpr std::size_t maxControlAnswer = 4 + 3 + (1 << 16) + 3 + 2;

} // namespace

PcscLiteConnection::~PcscLiteConnection() {
    if (connected_) SCardDisconnect(card_, SCARD_RESET_CARD);
}

SCARDHANDLE PcscLiteConnection::open() const {
    if (!connected_) throw Error(ErrorCode::InvalidState, "the card connection is closed");
    return card_;
}

const SCARD_IO_REQUEST* PcscLiteConnection::sendPci() const {
    // The PCI names the protocol the command travels in; it must match the active one.
    if (activeProtocol_ == SCARD_PROTOCOL_T1) return SCARD_PCI_T1;
    if (activeProtocol_ == SCARD_PROTOCOL_T0) return SCARD_PCI_T0;
    if (activeProtocol_ == SCARD_PROTOCOL_RAW) return SCARD_PCI_RAW;
    throw Error(ErrorCode::ProtoMismatch, "a direct connection has no protocol to transmit in");
}

Task<Bytes> PcscLiteConnection::transmit(ByteView command) {
    const SCARDHANDLE card = open();
    Bytes response(maxResponse);
    auto length = static_cast<DWORD>(response.size());
    scard::check(SCardTransmit(card, sendPci(), command.data(), static_cast<DWORD>(command.size()),
                               nullptr, response.data(), &length),
                 "SCardTransmit");
    // vpcd answers a transmit racing a card removal with success and no bytes; a response
    // without SW1 SW2 never came from a card.
    if (length < 2)
        throw Error(ErrorCode::RemovedCard, "SCardTransmit: the reader returned " +
                                                std::to_string(length) +
                                                " bytes without a status word (card removed?)");
    response.resize(length);
    co_return response;
}

Task<void> PcscLiteConnection::beginTransaction() {
    scard::check(SCardBeginTransaction(open()), "SCardBeginTransaction");
    co_return;
}

Task<void> PcscLiteConnection::endTransaction(Disposition disposition) {
    scard::check(SCardEndTransaction(open(), scard::disposition(disposition)),
                 "SCardEndTransaction");
    co_return;
}

Task<ConnectionStatus> PcscLiteConnection::status() {
    const SCARDHANDLE card = open();
    DWORD nameLength = 0, state = 0, protocol = 0;
    Bytes atr(maxAtr);
    auto atrLength = static_cast<DWORD>(atr.size());
    // First the name's length, then the name: the portable way (no SCARD_AUTOALLOCATE).
    scard::check(KAMUSM_SCARD(SCardStatus)(card, nullptr, &nameLength, &state, &protocol,
                                           atr.data(), &atrLength),
                 "SCardStatus");
    std::string name(nameLength, '\0');
    atrLength = static_cast<DWORD>(atr.size());
    scard::check(KAMUSM_SCARD(SCardStatus)(card, name.data(), &nameLength, &state, &protocol,
                                           atr.data(), &atrLength),
                 "SCardStatus");
    name.resize(name.find('\0') == std::string::npos ? name.size() : name.find('\0'));
    atr.resize(atrLength);
    co_return ConnectionStatus{name, scard::cardState(state), scard::activeProtocol(protocol), atr};
}

Task<void> PcscLiteConnection::disconnect(Disposition disposition) {
    const SCARDHANDLE card = open();
    connected_ = false; // the handle is gone even when SCardDisconnect reports a failure
    scard::check(SCardDisconnect(card, scard::disposition(disposition)), "SCardDisconnect");
    co_return;
}

Task<Bytes> PcscLiteConnection::control(std::uint32_t controlCode, ByteView data) {
    const SCARDHANDLE card = open();
    Bytes answer(maxControlAnswer);
    DWORD length = 0;
    scard::check(SCardControl(card, static_cast<DWORD>(controlCode), data.data(),
                              static_cast<DWORD>(data.size()), answer.data(),
                              static_cast<DWORD>(answer.size()), &length),
                 "SCardControl");
    answer.resize(length);
    co_return answer;
}

} // namespace kamusm::pcsc
