// reader::Transport over any pcsc::Context: pcsc-lite natively, navigator.smartCard and the
// desktop helper in the browser, fakes in tests. It uses the pcsc::Context interface alone, so
// one adapter serves them all; PC/SC failures come out as pcsc::Error with their code.
#pragma once

#include "kamusm/pcsc/context.hpp"
#include "kamusm/reader/transport.hpp"

#include <memory>

namespace kamusm::reader {

class PcscTransport : public Transport {
public:
    PcscTransport(std::unique_ptr<pcsc::Context> context, TransportKind kind);

    TransportKind kind() const override { return kind_; }
    // The readers (SCardListReaders) and whether a card is in each, asked without waiting.
    Task<std::vector<Slot>> slots() override;
    // Waits, without a timeout, until a reader of the last slots() changes or a reader comes
    // or goes (the PnP notification reader).
    Task<void> waitForChange() override;
    // Shared access, T=1 preferred then T=0; the card's ATR from the connection's status.
    Task<std::unique_ptr<Card>> connect(const std::string& slot) override;
    // Drops the context (SCardReleaseContext natively); later calls throw InvalidState.
    Task<void> close() override;

private:
    pcsc::Context& context() const;

    std::unique_ptr<pcsc::Context> context_;
    TransportKind kind_;
    std::vector<pcsc::ReaderStateIn> known_; // each reader as slots() saw it last
};

} // namespace kamusm::reader
