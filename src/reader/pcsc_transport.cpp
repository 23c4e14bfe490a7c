#include "kamusm/reader/pcsc_transport.hpp"

#include <exception>
#include <utility>

namespace kamusm::reader {

namespace {

pcsc::ReaderStateIn asSeen(const pcsc::ReaderStateOut& state) {
    pcsc::ReaderStateIn seen{state.readerName, state.eventState, state.eventCount};
    seen.currentState.changed = false; // an output-only flag
    return seen;
}

} // namespace

PcscCard::PcscCard(std::unique_ptr<pcsc::Connection> connection, iso7816::Atr atr,
                   std::optional<pcsc::Protocol> activeProtocol)
    : connection_(std::move(connection)), atr_(std::move(atr)), activeProtocol_(activeProtocol) {}

pcsc::Connection& PcscCard::connection() const {
    if (!connection_) throw pcsc::Error(pcsc::ErrorCode::InvalidState, "the card is disconnected");
    return *connection_;
}

Task<iso7816::ResponseApdu> PcscCard::transmitRaw(const iso7816::CommandApdu& command) {
    Bytes apdu = command.encode();
    WipeOnExit wipeApdu(apdu); // VERIFY and CHANGE carry PINs
    const Bytes response = co_await connection().transmit(apdu);
    co_return iso7816::ResponseApdu::decode(response);
}

Task<void> PcscCard::beginTransaction() {
    return connection().beginTransaction();
}

Task<void> PcscCard::endTransaction() {
    return connection().endTransaction(pcsc::Disposition::Leave);
}

// Unpowered, not reset: either way no verified PIN outlives the connection, but a reset is a
// power cycle in the reader's driver (libccid: off, then on), an ATR on the line for nobody.
Task<void> PcscCard::disconnect() {
    std::unique_ptr<pcsc::Connection> closing = std::move(connection_);
    if (closing) co_await closing->disconnect(pcsc::Disposition::Unpower);
}

PcscTransport::PcscTransport(std::unique_ptr<pcsc::Context> context, TransportKind kind,
                             std::unique_ptr<pcsc::Context> watch)
    : context_(std::move(context)), watch_(std::move(watch)), kind_(kind) {}

pcsc::Context& PcscTransport::context() const {
    if (!context_) throw pcsc::Error(pcsc::ErrorCode::InvalidState, "the PC/SC context is closed");
    return *context_;
}

Task<std::vector<Slot>> PcscTransport::slots() {
    const std::vector<std::string> readers = co_await context().listReaders();
    std::vector<pcsc::ReaderStateIn> asking;
    for (const std::string& reader : readers)
        asking.push_back({reader, pcsc::ReaderStateFlags{.unaware = true}, std::nullopt});
    std::vector<pcsc::ReaderStateOut> states;
    // Unaware states are answered at once, so the zero timeout never passes.
    if (!asking.empty())
        states = co_await context().getStatusChange(std::move(asking), pcsc::Milliseconds(0));
    known_.clear();
    std::vector<Slot> found;
    for (const pcsc::ReaderStateOut& state : states) {
        if (state.eventState.unknown) continue; // gone since the list was taken
        known_.push_back(asSeen(state));
        found.push_back({state.readerName, state.eventState.present});
    }
    co_return found;
}

Task<void> PcscTransport::waitForChange() {
    std::vector<pcsc::ReaderStateIn> watching = known_;
    // The PnP reader's count is the number of readers the caller knows (pcsc-lite compares it
    // with its own); it reports a reader added or removed.
    if (pnpSupported_)
        watching.push_back({pcsc::pnpNotification, {}, static_cast<std::uint32_t>(known_.size())});
    const std::vector<pcsc::ReaderStateOut> states =
        co_await (watch_ ? *watch_ : context()).getStatusChange(std::move(watching), std::nullopt);
    // A stack without the PnP reader reports it unknown, at once and every time: asking again
    // would never wait.
    if (pnpSupported_ && !states.empty() && states.back().eventState.unknown) pnpSupported_ = false;
}

Task<std::unique_ptr<Card>> PcscTransport::connect(const std::string& slot) {
    pcsc::ConnectResult connected = co_await context().connect(
        slot, pcsc::AccessMode::Shared, {pcsc::Protocol::T1, pcsc::Protocol::T0});
    std::unique_ptr<pcsc::Connection> connection = std::move(connected.connection);
    std::exception_ptr failure;
    try {
        const pcsc::ConnectionStatus status = co_await connection->status();
        co_return std::make_unique<PcscCard>(std::move(connection),
                                             iso7816::parseAtr(status.answerToReset),
                                             connected.activeProtocol);
    } catch (...) {
        failure = std::current_exception();
    }
    // A card we cannot use is let go as it was (it may be another program's).
    try {
        co_await connection->disconnect(pcsc::Disposition::Leave);
    } catch (const Error&) {
        // the first failure is the one to report
    }
    std::rethrow_exception(failure);
}

Task<void> PcscTransport::close() {
    watch_.reset();
    context_.reset();
    co_return;
}

} // namespace kamusm::reader
