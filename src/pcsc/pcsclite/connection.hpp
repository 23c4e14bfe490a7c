// pcsc::Connection over one SCARDHANDLE (SCardConnect's result).
#pragma once

#include "scard.hpp"

namespace kamusm::pcsc {

class PcscLiteConnection : public Connection {
public:
    PcscLiteConnection(SCARDHANDLE card, DWORD activeProtocol)
        : card_(card), activeProtocol_(activeProtocol) {}
    // A connection dropped without disconnect() (a failure on the way) resets the card, so
    // that no verified PIN outlives it.
    ~PcscLiteConnection() override;
    PcscLiteConnection(const PcscLiteConnection&) = delete;
    PcscLiteConnection& operator=(const PcscLiteConnection&) = delete;

    Task<Bytes> transmit(ByteView command) override;
    Task<void> beginTransaction() override;
    Task<void> endTransaction(Disposition disposition) override;
    Task<ConnectionStatus> status() override;
    Task<void> disconnect(Disposition disposition) override;
    Task<Bytes> control(std::uint32_t controlCode, ByteView data) override;

private:
    SCARDHANDLE open() const; // throws Error{InvalidState} after disconnect()
    const SCARD_IO_REQUEST* sendPci() const;

    SCARDHANDLE card_;
    DWORD activeProtocol_;
    bool connected_ = true;
};

} // namespace kamusm::pcsc
