#include "kamusm/sim/pcsc.hpp"

#include "kamusm/pcsc/dictionaries.hpp"

#include <stdexcept>
#include <thread>

namespace kamusm::sim {

pcsc::Error scardFailure(std::uint32_t scardError, const std::string& call) {
    return pcsc::Error(pcsc::errorCodeForScard(scardError), call + " failed", scardError);
}

PcscReader* PcscWorld::find(const std::string& name) {
    for (PcscReader& reader : readers)
        if (reader.name == name) return &reader;
    return nullptr;
}

void PcscWorld::insert(const std::string& reader, std::shared_ptr<VirtualCard> card) {
    PcscReader* slot = find(reader);
    slot->card = std::move(card);
    ++slot->events;
    ++slot->insertion;
}

void PcscWorld::remove(const std::string& reader) {
    PcscReader* slot = find(reader);
    if (slot->card) slot->card->reset(); // no power, no security state
    slot->card.reset();
    ++slot->events;
}

void PcscWorld::resetByOtherProgram(const std::string& reader) {
    PcscReader* slot = find(reader);
    if (slot->card) slot->card->reset();
    ++slot->resets;
}

namespace {

class Connection : public pcsc::Connection {
public:
    Connection(std::shared_ptr<PcscWorld> world, const PcscReader& reader)
        : world_(std::move(world)), reader_(reader.name), insertion_(reader.insertion),
          resets_(reader.resets) {}

    Task<Bytes> transmit(ByteView command) override {
        VirtualCard& card = present(PcscCall::Transmit, "SCardTransmit");
        world_->commands.emplace_back(command.begin(), command.end());
        if (const auto driver = world_->find(reader_)->driver)
            co_return co_await driver->transmit(command);
        co_return card.process(command).encode();
    }
    Task<void> beginTransaction() override {
        present(PcscCall::BeginTransaction, "SCardBeginTransaction");
        world_->calls.push_back("begin");
        co_return;
    }
    Task<void> endTransaction(pcsc::Disposition disposition) override {
        present(PcscCall::EndTransaction, "SCardEndTransaction");
        world_->calls.push_back("end " + std::string(pcsc::nameOf(disposition)));
        co_return;
    }
    Task<pcsc::ConnectionStatus> status() override {
        VirtualCard& card = present(PcscCall::Status, "SCardStatus");
        const Bytes& reported = world_->find(reader_)->reportedAtr;
        co_return pcsc::ConnectionStatus{reader_, pcsc::ConnectionStatus::State::Specific,
                                         pcsc::Protocol::T1,
                                         reported.empty() ? card.atr() : reported};
    }
    Task<void> disconnect(pcsc::Disposition disposition) override {
        if (world_->beforeCall) world_->beforeCall(PcscCall::Disconnect);
        world_->calls.push_back("disconnect " + std::string(pcsc::nameOf(disposition)));
        PcscReader* reader = world_->find(reader_);
        if (reader && reader->card && disposition != pcsc::Disposition::Leave) {
            reader->card->reset();
            if (reader->driver) co_await reader->driver->release(disposition);
        }
    }

private:
    // The card this connection was made to: SCARD_E_READER_UNAVAILABLE once its reader is
    // gone, SCARD_W_REMOVED_CARD once the card has left, SCARD_W_RESET_CARD once after another
    // program reset it.
    VirtualCard& present(PcscCall call, const char* name) {
        if (world_->beforeCall) world_->beforeCall(call);
        if (!world_->serviceRunning) throw scardFailure(scard::noService, name);
        PcscReader* reader = world_->find(reader_);
        if (!reader) throw scardFailure(scard::readerUnavailable, name);
        if (!reader->card || reader->insertion != insertion_)
            throw scardFailure(scard::removedCard, name);
        if (reader->resets != resets_) {
            resets_ = reader->resets;
            throw scardFailure(scard::resetCard, name);
        }
        return *reader->card;
    }

    std::shared_ptr<PcscWorld> world_;
    std::string reader_;
    int insertion_;
    int resets_;
};

pcsc::ReaderStateFlags flagsOf(const PcscReader& reader) {
    pcsc::ReaderStateFlags flags;
    flags.present = reader.card != nullptr;
    flags.empty = !flags.present;
    flags.exclusive = reader.heldExclusively;
    flags.inuse = reader.heldExclusively;
    return flags;
}

} // namespace

void PcscContext::requireService() const {
    if (!world_->serviceRunning) throw scardFailure(scard::noService, "SCardEstablishContext");
}

Task<std::vector<std::string>> PcscContext::listReaders() {
    if (world_->beforeCall) world_->beforeCall(PcscCall::ListReaders);
    requireService();
    std::vector<std::string> names;
    for (const PcscReader& reader : world_->readers)
        names.push_back(reader.name);
    co_return names;
}

std::vector<pcsc::ReaderStateOut>
PcscContext::look(const std::vector<pcsc::ReaderStateIn>& states) const {
    std::vector<pcsc::ReaderStateOut> out;
    for (const pcsc::ReaderStateIn& in : states) {
        pcsc::ReaderStateOut now{in.readerName, {}, {}, {}};
        if (in.readerName == pcsc::pnpNotification && world_->pnpReader) {
            const auto count = static_cast<std::uint32_t>(world_->readers.size());
            now.eventCount = count;
            now.eventState.changed = in.currentCount.value_or(0) != count;
        } else if (const PcscReader* reader = world_->find(in.readerName)) {
            now.eventState = flagsOf(*reader);
            now.eventCount = reader->events;
            if (reader->card) now.answerToReset = reader->card->atr();
            now.eventState.changed = in.currentState.unaware ||
                                     in.currentState.present != now.eventState.present ||
                                     in.currentCount != now.eventCount;
        } else {
            now.eventState.unknown = now.eventState.unavailable = true;
            now.eventState.changed = !in.currentState.unknown;
        }
        out.push_back(std::move(now));
    }
    return out;
}

Task<std::vector<pcsc::ReaderStateOut>>
PcscContext::getStatusChange(std::vector<pcsc::ReaderStateIn> readerStates,
                             std::optional<pcsc::Milliseconds> timeout) {
    if (world_->beforeCall) world_->beforeCall(PcscCall::GetStatusChange);
    requireService();
    world_->waitSizes.push_back(readerStates.size());
    world_->waitTimeouts.push_back(timeout);
    const auto anyChanged = [](const std::vector<pcsc::ReaderStateOut>& states) {
        for (const pcsc::ReaderStateOut& state : states)
            if (state.eventState.changed) return true;
        return false;
    };
    std::vector<pcsc::ReaderStateOut> now = look(readerStates);
    if (anyChanged(now)) co_return now;
    if (timeout) {
        // A caller that waits in slices (the helper's host) gets the time it asked for.
        if (timeout->count() > 0) std::this_thread::sleep_for(*timeout);
        throw scardFailure(scard::timeout, "SCardGetStatusChange");
    }
    if (world_->whileWaiting) std::exchange(world_->whileWaiting, {})();
    requireService();
    now = look(readerStates);
    if (!anyChanged(now)) throw std::logic_error("the in-memory PC/SC would wait forever");
    co_return now;
}

Task<pcsc::ConnectResult> PcscContext::connect(const std::string& readerName,
                                               pcsc::AccessMode accessMode,
                                               std::vector<pcsc::Protocol> preferredProtocols) {
    if (world_->beforeCall) world_->beforeCall(PcscCall::Connect);
    requireService();
    world_->accessModes.push_back(accessMode);
    world_->preferredProtocols.push_back(preferredProtocols);
    const PcscReader* reader = world_->find(readerName);
    if (!reader) throw scardFailure(scard::unknownReader, "SCardConnect");
    if (!reader->card) throw scardFailure(scard::noSmartcard, "SCardConnect");
    if (reader->heldExclusively) throw scardFailure(scard::sharingViolation, "SCardConnect");
    pcsc::ConnectResult result;
    if (reader->driver) co_await reader->driver->powerUp();
    result.connection = std::make_unique<Connection>(world_, *reader);
    result.activeProtocol = pcsc::Protocol::T1;
    co_return result;
}

} // namespace kamusm::sim
