#include "pcsc/fake_context.hpp"

#include "kamusm/pcsc/dictionaries.hpp"

#include <stdexcept>
#include <thread>

namespace kamusm::testing {

pcsc::Error scardFailure(std::uint32_t scardError, const std::string& call) {
    return pcsc::Error(pcsc::errorCodeForScard(scardError), call + " failed", scardError);
}

FakeReader* FakeWorld::find(const std::string& name) {
    for (FakeReader& reader : readers)
        if (reader.name == name) return &reader;
    return nullptr;
}

void FakeWorld::insert(const std::string& reader, std::shared_ptr<sim::VirtualCard> card) {
    FakeReader* slot = find(reader);
    slot->card = std::move(card);
    ++slot->events;
    ++slot->insertion;
}

void FakeWorld::remove(const std::string& reader) {
    FakeReader* slot = find(reader);
    slot->card.reset();
    ++slot->events;
}

namespace {

class FakeConnection : public pcsc::Connection {
public:
    FakeConnection(std::shared_ptr<FakeWorld> world, std::string reader, int insertion)
        : world_(std::move(world)), reader_(std::move(reader)), insertion_(insertion) {}

    Task<Bytes> transmit(ByteView command) override {
        sim::VirtualCard& card = present("SCardTransmit");
        world_->commands.emplace_back(command.begin(), command.end());
        co_return card.process(command).encode();
    }
    Task<void> beginTransaction() override {
        present("SCardBeginTransaction");
        world_->calls.push_back("begin");
        co_return;
    }
    Task<void> endTransaction(pcsc::Disposition disposition) override {
        present("SCardEndTransaction");
        world_->calls.push_back("end " + std::string(pcsc::nameOf(disposition)));
        co_return;
    }
    Task<pcsc::ConnectionStatus> status() override {
        sim::VirtualCard& card = present("SCardStatus");
        const Bytes& reported = world_->find(reader_)->reportedAtr;
        co_return pcsc::ConnectionStatus{reader_, pcsc::ConnectionStatus::State::Specific,
                                         pcsc::Protocol::T1,
                                         reported.empty() ? card.atr() : reported};
    }
    Task<void> disconnect(pcsc::Disposition disposition) override {
        world_->calls.push_back("disconnect " + std::string(pcsc::nameOf(disposition)));
        FakeReader* reader = world_->find(reader_);
        if (reader && reader->card && disposition != pcsc::Disposition::Leave)
            reader->card->reset();
        co_return;
    }

private:
    // The card this connection was made to, or SCARD_W_REMOVED_CARD once it has left.
    sim::VirtualCard& present(const char* call) const {
        if (!world_->serviceRunning) throw scardFailure(scard::noService, call);
        FakeReader* reader = world_->find(reader_);
        if (!reader || !reader->card || reader->insertion != insertion_)
            throw scardFailure(scard::removedCard, call);
        return *reader->card;
    }

    std::shared_ptr<FakeWorld> world_;
    std::string reader_;
    int insertion_;
};

pcsc::ReaderStateFlags flagsOf(const FakeReader& reader) {
    pcsc::ReaderStateFlags flags;
    flags.present = reader.card != nullptr;
    flags.empty = !flags.present;
    flags.exclusive = reader.heldExclusively;
    flags.inuse = reader.heldExclusively;
    return flags;
}

} // namespace

void FakeContext::requireService() const {
    if (!world_->serviceRunning) throw scardFailure(scard::noService, "SCardEstablishContext");
}

Task<std::vector<std::string>> FakeContext::listReaders() {
    requireService();
    std::vector<std::string> names;
    for (const FakeReader& reader : world_->readers)
        names.push_back(reader.name);
    co_return names;
}

std::vector<pcsc::ReaderStateOut>
FakeContext::look(const std::vector<pcsc::ReaderStateIn>& states) const {
    std::vector<pcsc::ReaderStateOut> out;
    for (const pcsc::ReaderStateIn& in : states) {
        pcsc::ReaderStateOut now{in.readerName, {}, {}, {}};
        if (in.readerName == pcsc::pnpNotification && world_->pnpReader) {
            const auto count = static_cast<std::uint32_t>(world_->readers.size());
            now.eventCount = count;
            now.eventState.changed = in.currentCount.value_or(0) != count;
        } else if (const FakeReader* reader = world_->find(in.readerName)) {
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
FakeContext::getStatusChange(std::vector<pcsc::ReaderStateIn> readerStates,
                             std::optional<pcsc::Milliseconds> timeout) {
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
        throw scardFailure(0x8010000A, "SCardGetStatusChange"); // SCARD_E_TIMEOUT
    }
    if (world_->whileWaiting) std::exchange(world_->whileWaiting, {})();
    requireService();
    now = look(readerStates);
    if (!anyChanged(now)) throw std::logic_error("the fake would wait forever");
    co_return now;
}

Task<pcsc::ConnectResult> FakeContext::connect(const std::string& readerName,
                                               pcsc::AccessMode accessMode,
                                               std::vector<pcsc::Protocol> preferredProtocols) {
    requireService();
    world_->accessModes.push_back(accessMode);
    world_->preferredProtocols.push_back(preferredProtocols);
    const FakeReader* reader = world_->find(readerName);
    if (!reader) throw scardFailure(scard::unknownReader, "SCardConnect");
    if (!reader->card) throw scardFailure(scard::noSmartcard, "SCardConnect");
    if (reader->heldExclusively) throw scardFailure(scard::sharingViolation, "SCardConnect");
    pcsc::ConnectResult result;
    result.connection = std::make_unique<FakeConnection>(world_, readerName, reader->insertion);
    result.activeProtocol = pcsc::Protocol::T1;
    co_return result;
}

} // namespace kamusm::testing
