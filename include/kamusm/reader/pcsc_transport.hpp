// reader::Transport over any pcsc::Context: pcsc-lite natively, navigator.smartCard and the
// desktop helper in the browser, fakes in tests. It uses the pcsc::Context interface alone, so
// one adapter serves them all; PC/SC failures come out as pcsc::Error with their code.
#pragma once

#include "kamusm/pcsc/context.hpp"
#include "kamusm/reader/transport.hpp"

#include <memory>

namespace kamusm::reader {

// A card reached through a PC/SC connection: APDUs go as they are (the OS's reader driver runs
// T=1 or T=0), short ones only, since not every reader driver carries extended APDUs.
class PcscCard : public Card {
public:
    PcscCard(std::unique_ptr<pcsc::Connection> connection, iso7816::Atr atr,
             std::optional<pcsc::Protocol> activeProtocol);

    const iso7816::Atr& atr() const override { return atr_; }
    bool extendedApdus() const override { return false; }
    // The protocol SCardConnect settled on (for diagnostics: the driver runs it, not us).
    std::optional<pcsc::Protocol> activeProtocol() const { return activeProtocol_; }

    Task<iso7816::ResponseApdu> transmitRaw(const iso7816::CommandApdu& command) override;
    Task<void> beginTransaction() override;
    // Leave: the card stays as it is for the rest of this connection; disconnect() resets it.
    Task<void> endTransaction() override;
    Task<void> disconnect() override;

private:
    pcsc::Connection& connection() const; // throws pcsc::Error{InvalidState} once disconnected

    std::unique_ptr<pcsc::Connection> connection_;
    iso7816::Atr atr_;
    std::optional<pcsc::Protocol> activeProtocol_;
};

class PcscTransport : public Transport {
public:
    // `watch`: a context of its own for waitForChange(), where the stack serves one call at a
    // time per context (navigator.smartCard: a waiting getStatusChange refuses every other
    // call); without one the waits share `context`.
    PcscTransport(std::unique_ptr<pcsc::Context> context, TransportKind kind,
                  std::unique_ptr<pcsc::Context> watch = nullptr);

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
    std::unique_ptr<pcsc::Context> watch_;
    TransportKind kind_;
    std::vector<pcsc::ReaderStateIn> known_; // each reader as slots() saw it last
    bool pnpSupported_ = true;               // until the stack reports the PnP reader unknown
};

} // namespace kamusm::reader
